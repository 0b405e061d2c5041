package nowplaying

import (
	"context"
	"errors"
	"sync"
	"time"

	"tokentray/internal/webapi"
)

// Defaults for the Poller's zero-valued intervals.
const (
	DefaultPlayingInterval = 15 * time.Second // short enough to notice skips and pauses
	DefaultPausedInterval  = 30 * time.Second
	DefaultIdleInterval    = 60 * time.Second
	DefaultErrorBackoff    = 5 * time.Second // doubled after each consecutive error…
	DefaultMaxErrorBackoff = 5 * time.Minute // …up to this
)

// Source answers "what is playing"; *webapi.Client implements it.
type Source interface {
	CurrentlyPlaying(ctx context.Context) (*webapi.Playing, error)
}

// State is what the tray shows about playback.
type State struct {
	Playing   *webapi.Playing // nil when logged out or nothing has been fetched yet
	Label     string          // always displayable
	LoggedOut bool
	ErrText   string // the last poll's error; Playing and Label then still describe the last success
}

// visible is the part of a State a user can see; OnChange fires when it changes.
type visible struct {
	label, url, errText string
	kind                webapi.Kind
	isPlaying           bool
	loggedOut           bool
}

func (s State) visible() visible {
	v := visible{label: s.Label, errText: s.ErrText, loggedOut: s.LoggedOut}
	if s.Playing != nil {
		v.url, v.kind, v.isPlaying = s.Playing.URL, s.Playing.Kind, s.Playing.IsPlaying
	}
	return v
}

// Poller polls Source on an adaptive schedule: just after the current track should end (to
// catch the next one) but at least every PlayingInterval while playing, less often when paused
// or idle, backing off on errors and never before a rate limit's Retry-After. Zero durations
// take the Default* values. Configure it before calling Run; call Run once.
type Poller struct {
	Source Source
	Clock  Clock // nil means RealClock()
	// OnChange receives the first State and every later one that differs visibly. It is called
	// from Run's goroutine, so it must not block for long.
	OnChange func(State)
	// IsLoggedOut reports errors that no retry can fix until the user logs in; the Poller then
	// emits a LoggedOut State and polls again only after Wake.
	IsLoggedOut func(error) bool

	PlayingInterval time.Duration
	PausedInterval  time.Duration
	IdleInterval    time.Duration
	ErrorBackoff    time.Duration
	MaxErrorBackoff time.Duration

	wakeOnce sync.Once
	wake     chan struct{}
}

// Wake makes Run poll now (or, while rate-limited, as soon as Retry-After allows): after a login,
// or when the user opens the menu. It never blocks and may be called before Run.
func (p *Poller) Wake() {
	select {
	case p.wakeChan() <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (p *Poller) wakeChan() chan struct{} {
	p.wakeOnce.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) {
	clock := p.Clock
	if clock == nil {
		clock = RealClock()
	}
	var (
		last    State
		shown   bool
		backoff time.Duration
	)
	for {
		requested := clock.Now()
		playing, err := p.Source.CurrentlyPlaying(ctx)
		if ctx.Err() != nil {
			return
		}
		now := clock.Now()
		var state State
		var next, notBefore time.Time // next zero: wait for Wake
		switch {
		case err == nil:
			backoff = 0
			if playing == nil {
				playing = &webapi.Playing{Kind: webapi.Nothing}
			}
			state = State{Playing: playing, Label: Label(playing)}
			next = now.Add(p.untilNextPoll(playing, requested, now))
		case p.IsLoggedOut != nil && p.IsLoggedOut(err):
			backoff = 0
			state = State{Label: loggedOutLabel, LoggedOut: true, ErrText: err.Error()}
		default:
			backoff = nextBackoff(backoff, or(p.ErrorBackoff, DefaultErrorBackoff), or(p.MaxErrorBackoff, DefaultMaxErrorBackoff))
			delay := backoff
			if apiErr, ok := errors.AsType[*webapi.Error](err); ok && apiErr.RetryAfter > 0 {
				notBefore = now.Add(apiErr.RetryAfter)
				delay = max(delay, apiErr.RetryAfter)
			}
			next = now.Add(delay)
			state = State{Playing: last.Playing, Label: unavailableLabel, ErrText: err.Error()}
			if last.Playing != nil {
				state.Label = Label(last.Playing)
			}
		}
		if p.OnChange != nil && (!shown || state.visible() != last.visible()) {
			p.OnChange(state)
			shown = true
		}
		last = state
		if !p.wait(ctx, clock, next, notBefore) {
			return
		}
	}
}

// untilNextPoll is how long to wait after a successful poll.
func (p *Poller) untilNextPoll(playing *webapi.Playing, requested, now time.Time) time.Duration {
	switch {
	case playing.Kind == webapi.Nothing:
		return or(p.IdleInterval, DefaultIdleInterval)
	case !playing.IsPlaying:
		return or(p.PausedInterval, DefaultPausedInterval)
	}
	interval := or(p.PlayingInterval, DefaultPlayingInterval)
	if playing.Duration <= 0 { // ads and detail-less episodes have no known end
		return interval
	}
	remaining := playing.Duration - playing.Progress - sinceMeasured(playing.Timestamp, requested, now)
	// One second after the end the next item is reported; never schedule in the past.
	return min(interval, max(remaining+time.Second, time.Second))
}

// sinceMeasured estimates how long ago Spotify measured progress_ms, from its timestamp.
// Spotify documents timestamp as the fetch time, but it has been observed to be the time
// playback last changed (spotify/web-api#1073), and the server's clock may differ from ours;
// taken at face value either would shorten the wait by minutes. So the estimate is bounded by
// the request's round trip, which progress_ms cannot be older than.
func sinceMeasured(timestamp, requested, now time.Time) time.Duration {
	roundTrip := now.Sub(requested)
	if timestamp.IsZero() {
		return roundTrip
	}
	return min(max(now.Sub(timestamp), 0), roundTrip)
}

// wait blocks until next (zero: until Wake), but never returns before notBefore. It reports
// false when ctx is done.
func (p *Poller) wait(ctx context.Context, clock Clock, next, notBefore time.Time) bool {
	for {
		var timer Timer
		var fired <-chan time.Time
		if !next.IsZero() {
			timer = clock.NewTimer(next.Sub(clock.Now()))
			fired = timer.C()
		}
		select {
		case <-fired:
			return true
		case <-ctx.Done():
			stopTimer(timer)
			return false
		case <-p.wakeChan():
			stopTimer(timer)
			if clock.Now().Before(notBefore) {
				next = notBefore
				continue
			}
			return true
		}
	}
}

func stopTimer(t Timer) {
	if t != nil {
		t.Stop()
	}
}

func nextBackoff(previous, first, limit time.Duration) time.Duration {
	if previous == 0 {
		return first
	}
	return min(previous*2, limit)
}

// or returns d, or def when d is not set.
func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
