package nowplaying

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"tokentray/internal/clock"
	"tokentray/internal/webapi"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// guard bounds every wait on the poller goroutine, so a broken poller fails instead of hanging.
const guard = 5 * time.Second

var errLoggedOut = errors.New("no or invalid refresh token: run tokentray login")

// step is one scripted answer of the Source. latency advances the fake clock while the request
// is "in flight", as a real round trip would.
type step struct {
	playing *webapi.Playing
	err     error
	latency time.Duration
}

// scriptedSource answers polls from a script and reports the clock reading of each poll.
type scriptedSource struct {
	t     *testing.T
	clock *clock.Fake
	mu    sync.Mutex
	steps []step
	polls chan time.Time
}

func (s *scriptedSource) CurrentlyPlaying(context.Context) (*webapi.Playing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if len(s.steps) == 0 {
		s.t.Errorf("unexpected poll at %v: the script is exhausted", now)
		return nil, errors.New("script exhausted")
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	s.polls <- now
	s.clock.Advance(st.latency)
	return st.playing, st.err
}

type harness struct {
	t      *testing.T
	clock  *clock.Fake
	poller *Poller
	polls  chan time.Time
	states chan State
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs a Poller with default intervals over the script and checks that the first poll
// happens at once.
func start(t *testing.T, steps ...step) *harness {
	t.Helper()
	return startConfigured(t, func(*Poller) {}, steps...)
}

// startConfigured is start with configure applied to the Poller before Run.
func startConfigured(t *testing.T, configure func(*Poller), steps ...step) *harness {
	t.Helper()
	h := launch(t, configure, steps...)
	h.expectPollAt(t0)
	return h
}

// launch runs a Poller configured by configure over the script, on a fake clock at t0.
func launch(t *testing.T, configure func(*Poller), steps ...step) *harness {
	t.Helper()
	clock := clock.NewFake(t0)
	h := &harness{t: t, clock: clock, polls: make(chan time.Time, len(steps)+1), states: make(chan State, len(steps)+1), done: make(chan struct{})}
	h.poller = &Poller{
		Source:      &scriptedSource{t: t, clock: clock, steps: steps, polls: h.polls},
		Clock:       clock,
		OnChange:    func(s State) { h.states <- s },
		IsLoggedOut: func(err error) bool { return errors.Is(err, errLoggedOut) },
	}
	configure(h.poller)
	ctx, cancel := context.WithCancel(t.Context())
	h.cancel = cancel
	go func() {
		defer close(h.done)
		h.poller.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-h.done
	})
	return h
}

func (h *harness) expectPollAt(want time.Time) {
	h.t.Helper()
	select {
	case got := <-h.polls:
		if !got.Equal(want) {
			h.t.Fatalf("polled at t0%+v, want t0%+v", got.Sub(t0), want.Sub(t0))
		}
	case <-time.After(guard):
		h.t.Fatalf("no poll at t0%+v", want.Sub(t0))
	}
}

// expectScheduled waits until the poller is parked on its timer and checks the timer's instant.
func (h *harness) expectScheduled(want time.Time) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), guard)
	defer cancel()
	if err := h.clock.BlockUntil(ctx, 1); err != nil {
		h.t.Fatalf("poller not waiting on a timer: %v (timers %v)", err, h.clock.Deadlines())
	}
	if got := h.clock.Deadlines(); len(got) != 1 || !got[0].Equal(want) {
		h.t.Fatalf("next poll scheduled at %v, want t0%+v", offsets(got), want.Sub(t0))
	}
}

// pollsAt checks the schedule, then advances the clock to exactly that instant and checks that
// the poll happens then.
func (h *harness) pollsAt(want time.Time) {
	h.t.Helper()
	h.expectScheduled(want)
	h.clock.Advance(want.Sub(h.clock.Now()))
	h.expectPollAt(want)
}

func (h *harness) expectState() State {
	h.t.Helper()
	select {
	case s := <-h.states:
		return s
	case <-time.After(guard):
		h.t.Fatal("no OnChange")
		return State{}
	}
}

// expectNoState checks that the poll that just happened emitted nothing. The poller calls
// OnChange before it parks on its next timer, so once it is parked the answer is final.
func (h *harness) expectNoState(next time.Time) {
	h.t.Helper()
	h.expectScheduled(next)
	select {
	case s := <-h.states:
		h.t.Fatalf("unexpected OnChange: %+v", s)
	default:
	}
}

func offsets(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, ts := range ts {
		out[i] = fmt.Sprintf("t0%+v", ts.Sub(t0))
	}
	return out
}

func track(progress, duration time.Duration, timestamp time.Time) *webapi.Playing {
	return &webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "t1", Title: "Song", Artists: []string{"Artist"},
		URL: "https://open.spotify.com/track/t1", Progress: progress, Duration: duration, Timestamp: timestamp}
}

func TestSchedulesNextPoll(t *testing.T) {
	const latency = 200 * time.Millisecond
	responded := t0.Add(latency)
	tests := []struct {
		name    string
		playing *webapi.Playing
		next    time.Time
	}{
		{"track far from its end: PlayingInterval", track(30*time.Second, 3*time.Minute, t0),
			responded.Add(15 * time.Second)},
		// Ends 10 s after Spotify measured progress at t0, so the next poll is one second after that.
		{"track near its end: 1 s after the end, corrected for latency", track(170*time.Second, 3*time.Minute, t0),
			t0.Add(11 * time.Second)},
		// Spotify has reported timestamp as the track's start (spotify/web-api#1073): taken at
		// face value it would schedule at once; the round trip bounds the correction instead.
		{"timestamp older than the request", track(175*time.Second, 3*time.Minute, t0.Add(-175*time.Second)),
			responded.Add(6*time.Second - latency)},
		{"timestamp ahead of our clock", track(175*time.Second, 3*time.Minute, t0.Add(time.Minute)),
			responded.Add(6 * time.Second)},
		{"no timestamp: assume the whole round trip passed", track(175*time.Second, 3*time.Minute, time.Time{}),
			responded.Add(6*time.Second - latency)},
		{"progress past the end: never in the past", track(185*time.Second, 3*time.Minute, t0),
			responded.Add(time.Second)},
		{"ad without duration", &webapi.Playing{Kind: webapi.Ad, IsPlaying: true}, responded.Add(15 * time.Second)},
		{"paused", &webapi.Playing{Kind: webapi.Track, Title: "Song", Progress: 170 * time.Second, Duration: 3 * time.Minute},
			responded.Add(30 * time.Second)},
		{"nothing playing", &webapi.Playing{Kind: webapi.Nothing}, responded.Add(60 * time.Second)},
		{"nil from the source counts as nothing", nil, responded.Add(60 * time.Second)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, step{playing: tc.playing, latency: latency}, step{playing: tc.playing})
			h.expectState()
			h.pollsAt(tc.next)
		})
	}
}

func TestConfiguredIntervals(t *testing.T) {
	paused := track(0, time.Hour, t0)
	paused.IsPlaying = false
	fail := step{err: errors.New("connection refused")}
	h := startConfigured(t, func(p *Poller) {
		p.PlayingInterval, p.PausedInterval, p.IdleInterval = 3*time.Second, 7*time.Second, 11*time.Second
		p.ErrorBackoff, p.MaxErrorBackoff = 2*time.Second, 5*time.Second
	},
		step{playing: track(0, time.Hour, t0)},
		step{playing: paused},
		step{playing: &webapi.Playing{Kind: webapi.Nothing}},
		fail, fail, fail, fail,
	)
	at := t0
	for _, wait := range []time.Duration{3, 7, 11, 2, 4, 5} {
		at = at.Add(wait * time.Second)
		h.pollsAt(at)
	}
	h.expectScheduled(at.Add(5 * time.Second))
}

func TestBacksOffOnErrors(t *testing.T) {
	fail := step{err: &webapi.Error{Status: http.StatusBadGateway, Message: "Bad gateway."}}
	ok := step{playing: track(0, time.Hour, t0)}
	h := start(t, fail, fail, fail, fail, fail, fail, fail, fail, ok, fail)
	at := t0
	for _, backoff := range []time.Duration{5, 10, 20, 40, 80, 160, 300, 300} {
		at = at.Add(backoff * time.Second)
		h.pollsAt(at)
	}
	// Success resets the backoff: the next error waits 5 s again.
	at = at.Add(DefaultPlayingInterval)
	h.pollsAt(at)
	h.expectScheduled(at.Add(DefaultErrorBackoff))
}

func TestNeverPollsBeforeRetryAfter(t *testing.T) {
	limited := func(retryAfter time.Duration) step {
		return step{err: &webapi.Error{Status: http.StatusTooManyRequests, Message: "API rate limit exceeded", RetryAfter: retryAfter}}
	}
	t.Run("Retry-After longer than the backoff", func(t *testing.T) {
		h := start(t, limited(2*time.Minute), step{playing: track(0, time.Hour, t0)})
		h.pollsAt(t0.Add(2 * time.Minute))
	})
	t.Run("Retry-After shorter than the backoff", func(t *testing.T) {
		h := start(t, limited(2*time.Second), step{playing: track(0, time.Hour, t0)})
		h.pollsAt(t0.Add(DefaultErrorBackoff))
	})
	t.Run("Wake waits for Retry-After", func(t *testing.T) {
		fail := step{err: errors.New("connection refused")}
		h := start(t, fail, fail, limited(7*time.Second), step{playing: track(0, time.Hour, t0)})
		h.pollsAt(t0.Add(5 * time.Second))
		h.pollsAt(t0.Add(15 * time.Second))
		// Third consecutive error: backoff 20 s, Retry-After 7 s.
		h.expectScheduled(t0.Add(35 * time.Second))
		h.clock.Advance(3 * time.Second)
		h.poller.Wake()
		// The wake-up brings the poll forward, but only to the end of Retry-After.
		deadline := time.Now().Add(guard)
		for got := h.clock.Deadlines(); len(got) != 1 || !got[0].Equal(t0.Add(22*time.Second)); got = h.clock.Deadlines() {
			if time.Now().After(deadline) {
				t.Fatalf("after Wake the next poll is at %v, want t0+22s", offsets(got))
			}
			time.Sleep(time.Millisecond)
		}
		h.pollsAt(t0.Add(22 * time.Second))
	})
}

func TestLoggedOutStopsPollingUntilWake(t *testing.T) {
	loggedOut := fmt.Errorf("get an access token for the Spotify Web API: %w", errLoggedOut)
	h := start(t, step{err: loggedOut}, step{playing: track(0, time.Hour, t0)})
	s := h.expectState()
	if !s.LoggedOut || s.Playing != nil || s.Label != "Not logged in" || s.ErrText != "get an access token for the Spotify Web API: no or invalid refresh token: run tokentray login" {
		t.Fatalf("state %+v, want LoggedOut with the error", s)
	}
	time.Sleep(20 * time.Millisecond) // let a broken poller arm a timer, so the check below sees it
	if got := h.clock.Deadlines(); len(got) != 0 {
		t.Fatalf("logged out but a poll is scheduled at %v", offsets(got))
	}
	h.clock.Advance(24 * time.Hour)
	h.poller.Wake()
	h.expectPollAt(t0.Add(24 * time.Hour))
	if s := h.expectState(); s.LoggedOut || s.Label != "Artist — Song" || s.ErrText != "" {
		t.Fatalf("state after login %+v, want the track and no error", s)
	}
}

func TestWakePollsImmediately(t *testing.T) {
	h := start(t, step{playing: &webapi.Playing{Kind: webapi.Nothing}}, step{playing: track(0, time.Hour, t0)})
	h.expectScheduled(t0.Add(DefaultIdleInterval))
	h.clock.Advance(10 * time.Second)
	h.poller.Wake()
	h.expectPollAt(t0.Add(10 * time.Second))
}

func TestEmitsOnlyVisibleChanges(t *testing.T) {
	playingAt := func(progress time.Duration) *webapi.Playing { return track(progress, time.Hour, t0) }
	paused := playingAt(20 * time.Second)
	paused.IsPlaying = false
	badGateway := &webapi.Error{Status: http.StatusBadGateway, Message: "Bad gateway."}
	h := start(t,
		step{playing: playingAt(0)},
		step{playing: playingAt(15 * time.Second)}, // progress only
		step{playing: paused},
		step{playing: paused},
		step{err: badGateway},
		step{err: badGateway},
		step{playing: paused},
	)
	s := h.expectState()
	if s.Label != "Artist — Song" || s.ErrText != "" || !s.Measured.Equal(t0) {
		t.Fatalf("first state %+v", s)
	}

	at := t0.Add(15 * time.Second)
	h.pollsAt(at)
	h.expectNoState(at.Add(15 * time.Second))

	at = at.Add(15 * time.Second)
	h.pollsAt(at)
	if s := h.expectState(); s.Label != "Paused: Artist — Song" || s.Playing.IsPlaying {
		t.Fatalf("after pause %+v", s)
	}

	at = at.Add(30 * time.Second)
	h.pollsAt(at)
	h.expectNoState(at.Add(30 * time.Second))

	at = at.Add(30 * time.Second)
	h.pollsAt(at)
	s = h.expectState()
	if s.ErrText != "Spotify Web API: Bad gateway. (HTTP 502)" || s.Label != "Paused: Artist — Song" || s.Playing != paused {
		t.Fatalf("after an error %+v, want the error and the last track kept", s)
	}

	at = at.Add(5 * time.Second)
	h.pollsAt(at)
	h.expectNoState(at.Add(10 * time.Second))

	at = at.Add(10 * time.Second)
	h.pollsAt(at)
	if s := h.expectState(); s.ErrText != "" {
		t.Fatalf("after recovery %+v, want the error cleared", s)
	}
}

func TestErrorBeforeAnySuccess(t *testing.T) {
	h := start(t, step{err: errors.New("connection refused")})
	if s := h.expectState(); s.Playing != nil || s.Label != "Now playing unavailable" || s.ErrText != "connection refused" {
		t.Fatalf("state %+v", s)
	}
}

func TestRunReturnsWhenContextIsDone(t *testing.T) {
	h := start(t, step{playing: track(0, time.Hour, t0)})
	h.expectScheduled(t0.Add(DefaultPlayingInterval))
	h.cancel()
	select {
	case <-h.done:
	case <-time.After(guard):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if got := h.clock.Deadlines(); len(got) != 0 {
		t.Errorf("Run left timers behind: %v", offsets(got))
	}
}
