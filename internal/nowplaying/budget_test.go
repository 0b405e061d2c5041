package nowplaying

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tokentray/internal/apicalls"
	"tokentray/internal/clock"
	"tokentray/internal/webapi"
)

// budgeted configures a Budget of calls over log (nil: the Poller's own count).
func budgeted(calls int, log func(p *Poller) *apicalls.Log) func(*Poller) {
	return func(p *Poller) {
		p.Budget = &Budget{Calls: calls}
		if log != nil {
			p.Budget.Log = log(p)
		}
	}
}

// emptyLog is a call log nobody records into, so the budget stays wholly free.
func emptyLog(p *Poller) *apicalls.Log { return apicalls.Open(apicalls.Options{Now: p.Clock.Now}) }

// loggedBefore is a call log file, as a previous run left it, holding n now-playing calls one
// second apart from first.
func loggedBefore(t *testing.T, n int, first time.Time) func(p *Poller) *apicalls.Log {
	path := filepath.Join(t.TempDir(), apicalls.FileName)
	times := make([]int64, n)
	for i := range times {
		times[i] = first.Add(time.Duration(i) * time.Second).UnixMilli()
	}
	data, err := json.Marshal(map[string]any{"version": 1, "calls": map[string][]int64{webapi.CurrentlyPlayingPath: times}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return func(p *Poller) *apicalls.Log {
		return apicalls.Open(apicalls.Options{Path: path, Now: p.Clock.Now, Warn: func(err error) { t.Error(err) }})
	}
}

func TestBudgetedSchedule(t *testing.T) {
	ad := func(progress time.Duration) *webapi.Playing {
		return &webapi.Playing{Kind: webapi.Ad, IsPlaying: true, Progress: progress, Timestamp: t0}
	}
	paused := track(0, 3*time.Minute, t0)
	paused.IsPlaying = false
	tests := []struct {
		name    string
		playing *webapi.Playing
		wait    time.Duration
	}{
		// Ends 241 s ahead; checks at most 90 s apart: three equal steps, to the second.
		{"track: checks spread evenly up to the end", track(0, 4*time.Minute, t0), 80 * time.Second},
		{"track ending within a check: 1 s after its end", track(100*time.Second, 3*time.Minute, t0), 81 * time.Second},
		{"ad just started: as a 15 s ad would end", ad(2 * time.Second), 14 * time.Second},
		{"ad past 15 s: as a 30 s ad would end", ad(20 * time.Second), 11 * time.Second},
		{"ad past 30 s: the check interval", ad(40 * time.Second), 90 * time.Second},
		{"episode without a length: the check interval", &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, Title: "Ep"}, 90 * time.Second},
		{"paused: the first idle wait", paused, time.Minute},
		{"nothing playing: the first idle wait", &webapi.Playing{Kind: webapi.Nothing}, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startConfigured(t, budgeted(500, emptyLog), step{playing: tc.playing}, step{playing: tc.playing})
			h.pollsAt(t0.Add(tc.wait))
		})
	}
}

func TestBudgetedIdleBacksOffTo15Minutes(t *testing.T) {
	nothing := step{playing: &webapi.Playing{Kind: webapi.Nothing}}
	playing := step{playing: &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, Title: "Ep"}}
	h := startConfigured(t, budgeted(500, emptyLog), nothing, nothing, nothing, nothing, nothing, nothing, playing, nothing)
	at := t0
	for _, wait := range []time.Duration{1, 2, 4, 8, 15, 15} {
		at = at.Add(wait * time.Minute)
		h.pollsAt(at)
	}
	at = at.Add(90 * time.Second) // playing, no known end: the check interval
	h.pollsAt(at)
	h.expectScheduled(at.Add(time.Minute)) // nothing again: the backoff starts over
}

func TestBudgetSlowsAsItIsUsed(t *testing.T) {
	tests := []struct {
		name    string
		used    int
		playing *webapi.Playing
		wait    time.Duration
	}{
		// Checks 90 s apart up to the end 601 s ahead: seven steps of 85.86 s.
		{"half used: the shortest intervals", 250, track(0, 10*time.Minute, t0), 85 * time.Second},
		// Checks 180 s apart: four steps of 150.25 s.
		{"three quarters used: intervals doubled", 375, track(0, 10*time.Minute, t0), 150 * time.Second},
		{"three quarters used: idle wait doubled", 375, &webapi.Playing{Kind: webapi.Nothing}, 2 * time.Minute},
		// 90 s × 0.5/0.1, though the track ends in 11 s.
		{"under a fifth free: ends no longer bring polls forward", 450, track(170*time.Second, 3*time.Minute, t0), 450 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startConfigured(t, budgeted(500, loggedBefore(t, tc.used, t0.Add(-12*time.Hour))), step{playing: tc.playing})
			h.expectScheduled(t0.Add(tc.wait))
		})
	}
}

func TestSpentBudgetWaitsForTheOldestCallToAge(t *testing.T) {
	// A previous run spent the whole budget; its oldest call was 23 h ago.
	h := launch(t, budgeted(500, loggedBefore(t, 500, t0.Add(-23*time.Hour))), step{playing: track(0, time.Hour, t0)})
	h.expectScheduled(t0.Add(time.Hour))
	h.wakeAndWait()
	h.expectScheduled(t0.Add(time.Hour)) // Wake cannot overspend
	h.clock.Advance(time.Hour)
	h.expectPollAt(t0.Add(time.Hour))
}

func TestOwnCountWithoutALog(t *testing.T) {
	nothing := step{playing: &webapi.Playing{Kind: webapi.Nothing}}
	h := startConfigured(t, budgeted(2, nil), nothing, nothing)
	h.pollsAt(t0.Add(time.Minute))            // one of two calls spent: still the first idle wait
	h.expectScheduled(t0.Add(24 * time.Hour)) // both spent: until the first leaves the 24 h
}

func TestZeroBudgetNeverPolls(t *testing.T) {
	h := launch(t, budgeted(0, nil))
	if s := h.expectState(); s.Label != "Now playing off" || s.ErrText != "Now playing is off: its daily budget of Web API calls is 0" {
		t.Fatalf("state %+v", s)
	}
	h.poller.Wake()
	time.Sleep(20 * time.Millisecond) // let a broken poller poll, so the script's check sees it
	if got := h.clock.Deadlines(); len(got) != 0 {
		t.Fatalf("a poll is scheduled at %v", offsets(got))
	}
}

func TestQuotaExceededStopsUntilThen(t *testing.T) {
	quota := &webapi.Error{Status: http.StatusTooManyRequests, Message: "API rate limit exceeded", Reason: "QUOTA_EXCEEDED", RetryAfter: 14 * time.Hour}
	long := &webapi.Error{Status: http.StatusTooManyRequests, Message: "API rate limit exceeded", RetryAfter: 11 * time.Minute}
	tests := []struct {
		name      string
		configure func(*Poller)
		err       *webapi.Error
		until     time.Time
		text      string
	}{
		{"QUOTA_EXCEEDED", func(*Poller) {}, quota, t0.Add(14 * time.Hour),
			"Spotify's daily quota for your apps is used up until Fri 02:00; now playing resumes then"},
		{"QUOTA_EXCEEDED with a budget", budgeted(500, emptyLog), quota, t0.Add(14 * time.Hour),
			"Spotify's daily quota for your apps is used up until Fri 02:00; now playing resumes then"},
		{"Retry-After over 10 minutes", func(*Poller) {}, long, t0.Add(11 * time.Minute),
			"Spotify's daily quota for your apps is used up until 12:11; now playing resumes then"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startConfigured(t, tc.configure, step{err: tc.err}, step{playing: track(0, time.Hour, t0)})
			s := h.expectState()
			if !s.QuotaUntil.Equal(tc.until) || s.ErrText != tc.text {
				t.Fatalf("state %+v, want QuotaUntil t0%+v and %q", s, tc.until.Sub(t0), tc.text)
			}
			h.expectScheduled(tc.until)
			h.wakeAndWait()
			h.pollsAt(tc.until)
			if s := h.expectState(); !s.QuotaUntil.IsZero() || s.ErrText != "" {
				t.Fatalf("after the quota: %+v", s)
			}
		})
	}
}

func TestLocalPlayerSuspendsPolling(t *testing.T) {
	h := start(t, step{playing: track(0, time.Hour, t0)}, step{playing: track(0, time.Hour, t0)})
	h.expectScheduled(t0.Add(DefaultPlayingInterval))
	h.poller.SetLocalActive(true)
	waitForDeadlines(t, h)
	h.poller.Wake() // the local player answers; Wake makes no call
	h.clock.Advance(time.Hour)
	waitForDeadlines(t, h)
	h.poller.SetLocalActive(false)
	h.expectPollAt(t0.Add(time.Hour))
}

func TestLocalPlayerBeforeRun(t *testing.T) {
	h := launch(t, func(p *Poller) { p.SetLocalActive(true) }, step{playing: track(0, time.Hour, t0)})
	time.Sleep(20 * time.Millisecond) // let a broken poller poll, so the script's check sees it
	select {
	case at := <-h.polls:
		t.Fatalf("polled at t0%+v while a local player was active", at.Sub(t0))
	default:
	}
	h.poller.SetLocalActive(false)
	h.expectPollAt(t0)
}

// wakeAndWait calls Wake and waits until the poller has taken the wake-up, so that it cannot
// count for a later poll.
func (h *harness) wakeAndWait() { h.sendAndWait(h.poller.Wake, h.poller.wake) }

// wakeIfStaleAndWait calls WakeIfStale and waits until the poller has taken it.
func (h *harness) wakeIfStaleAndWait() { h.sendAndWait(h.poller.WakeIfStale, h.poller.wanted) }

// sendAndWait calls send and waits until the poller has emptied ch, the channel send fills.
func (h *harness) sendAndWait(send func(), ch chan struct{}) {
	h.t.Helper()
	send()
	deadline := time.Now().Add(guard)
	for len(ch) > 0 {
		if time.Now().After(deadline) {
			h.t.Fatal("the poller did not take the wake-up")
		}
		time.Sleep(time.Millisecond)
	}
}

// waitForDeadlines waits until the poller has no timer.
func waitForDeadlines(t *testing.T, h *harness) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), guard)
	defer cancel()
	if err := h.clock.BlockUntil(ctx, 0); err != nil {
		t.Fatalf("the poller still has timers %v: %v", offsets(h.clock.Deadlines()), err)
	}
}

func TestWakeIfStaleCostsNoMoreThanTheSchedule(t *testing.T) {
	nothing := step{playing: &webapi.Playing{Kind: webapi.Nothing}}
	// A track an hour long: checks 87 s apart (3601 s in 41 steps).
	h := startConfigured(t, budgeted(500, emptyLog), step{playing: track(0, time.Hour, t0)}, nothing, nothing, nothing, nothing)
	h.expectScheduled(t0.Add(87 * time.Second))
	h.clock.Advance(30 * time.Second)
	for range 60 { // a crowd of watchers within the check interval
		h.wakeIfStaleAndWait()
	}
	h.pollsAt(t0.Add(87 * time.Second)) // the schedule's own check, and none before it

	// Nothing plays: the idle waits (1, 2, 4 min) soon outgrow the check interval.
	at := t0.Add(87 * time.Second)
	h.pollsAt(at.Add(time.Minute))
	at = at.Add(time.Minute)
	h.pollsAt(at.Add(2 * time.Minute))
	at = at.Add(2 * time.Minute)
	h.expectScheduled(at.Add(4 * time.Minute))
	h.clock.Advance(89 * time.Second)
	h.wakeIfStaleAndWait()
	h.expectScheduled(at.Add(4 * time.Minute)) // 89 s old: still fresh
	h.clock.Advance(time.Second)
	h.wakeIfStaleAndWait()
	h.expectPollAt(at.Add(90 * time.Second)) // 90 s old: stale by the check interval
}

func TestWakeIfStaleBeforeTheFirstPollAsksOnce(t *testing.T) {
	// `tokentray now` while nothing is known: the first poll answers it; no second one follows.
	h := startConfigured(t, func(p *Poller) {
		budgeted(500, emptyLog)(p)
		p.WakeIfStale()
	}, step{playing: track(0, time.Hour, t0)})
	h.expectScheduled(t0.Add(87 * time.Second))
	select {
	case at := <-h.polls:
		t.Fatalf("a second poll at t0%+v", at.Sub(t0))
	default:
	}
}

func TestAQuotaBlockOutlivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), apicalls.FileName)
	fileLog := func(p *Poller) *apicalls.Log {
		return apicalls.Open(apicalls.Options{Path: path, Now: p.Clock.Now, Warn: func(err error) { t.Error(err) }})
	}
	quota := &webapi.Error{Status: http.StatusTooManyRequests, Message: "API rate limit exceeded", Reason: "QUOTA_EXCEEDED", RetryAfter: 50000 * time.Second}
	until := t0.Add(50000 * time.Second)
	want := "Spotify's daily quota for your apps is used up until Fri 01:53; now playing resumes then"

	first := startConfigured(t, budgeted(500, fileLog), step{err: quota})
	if s := first.expectState(); !s.QuotaUntil.Equal(until) || s.ErrText != want {
		t.Fatalf("state %+v", s)
	}
	first.expectScheduled(until)
	first.cancel()
	<-first.done

	// Restarted an hour later, on the same file: no call until the block ends, and it says why.
	restarted := launch(t, func(p *Poller) {
		p.Clock.(*clock.Fake).Advance(time.Hour)
		budgeted(500, fileLog)(p)
	}, step{playing: track(0, time.Hour, until)})
	s := restarted.expectState()
	if !s.QuotaUntil.Equal(until) || s.ErrText != want || s.Label != "Now playing unavailable" {
		t.Fatalf("after the restart: %+v", s)
	}
	restarted.wakeAndWait()
	restarted.wakeIfStaleAndWait()
	restarted.pollsAt(until)
	if s := restarted.expectState(); !s.QuotaUntil.IsZero() || s.ErrText != "" || s.Label != "Artist — Song" {
		t.Fatalf("after the block: %+v", s)
	}
}
