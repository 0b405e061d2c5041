package nowplaying

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"tokentray/internal/apicalls"
	"tokentray/internal/backoff"
	"tokentray/internal/clock"
	"tokentray/internal/webapi"
)

// Clock and Timer are the Poller's time source; see package clock.
type (
	Clock = clock.Clock
	Timer = clock.Timer
)

// RealClock returns the system clock.
func RealClock() Clock { return clock.Real() }

// Defaults for the Poller's zero-valued intervals without a Budget.
const (
	DefaultPlayingInterval = 15 * time.Second // short enough to notice skips and pauses
	DefaultPausedInterval  = 30 * time.Second
	DefaultIdleInterval    = 60 * time.Second
	DefaultErrorBackoff    = 5 * time.Second // doubled after each consecutive error…
	DefaultMaxErrorBackoff = 5 * time.Minute // …up to this
)

// Defaults of the budgeted schedule (issue 8).
const (
	DefaultBudgetCalls    = 500              // now-playing calls in any 24 h
	DefaultCheckInterval  = 90 * time.Second // between item ends, to notice skips and pauses
	DefaultIdleBackoff    = time.Minute      // paused or nothing playing: the first wait…
	DefaultMaxIdleBackoff = 15 * time.Minute // …doubling up to this
	// QuotaStop is the longest Retry-After the Poller treats as a passing rate limit; a longer
	// one, or a QUOTA_EXCEEDED answer, means the daily quota is used up: the Poller stops until
	// then and says so.
	QuotaStop = 10 * time.Minute
)

const (
	// budgetHalf is the free fraction of the budget below which waits grow.
	budgetHalf = 0.5
	// budgetReserve is the fraction of the budget below which item ends no longer bring polls
	// forward: only the (by then long) check interval remains, so a day of non-stop listening
	// cannot spend the budget on ends alone.
	budgetReserve = 0.2
)

// adLengths are the lengths of Spotify's audio ads. The Web API reports an ad without its
// length, so the budgeted schedule polls as each of these would end.
var adLengths = []time.Duration{15 * time.Second, 30 * time.Second}

// Source answers "what is playing"; *webapi.Client implements it.
type Source interface {
	CurrentlyPlaying(ctx context.Context) (*webapi.Playing, error)
}

// Budget caps the now-playing calls of a Poller over a rolling 24 hours. See Poller.
type Budget struct {
	// Calls is how many now-playing calls any 24 hours may hold; 0 means never poll.
	Calls int
	// Check is the shortest interval between checks for skips and pauses; 0 means
	// DefaultCheckInterval.
	Check time.Duration
	// Log is the record of calls the budget is measured against: the one the Source's
	// webapi.Client records into, so that calls before a restart still count. The Poller keeps
	// a quota block there too, and honours one a previous run saved. Nil means the Poller counts
	// its own polls, in memory. A Log whose count is unknown (Log.Err) means no calls at all.
	Log *apicalls.Log
}

// State is what the tray shows about playback.
type State struct {
	Playing   *webapi.Playing // nil when logged out or nothing has been fetched yet
	Label     string          // always displayable
	LoggedOut bool
	ErrText   string // the last poll's error; Playing and Label then still describe the last success
	// QuotaUntil is set while Spotify's daily quota refuses calls: the Poller makes none before
	// then, and ErrText says so.
	QuotaUntil time.Time
	// Measured is when Playing.Progress was true, for a progress shown between polls; zero when
	// the source reports no reliable progress (MPRIS).
	Measured time.Time
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

// Poller polls Source on an adaptive schedule, backing off on errors and never before a rate
// limit's Retry-After; a Retry-After over QuotaStop or a QUOTA_EXCEEDED answer stops it until
// then (across restarts, with a Budget.Log). It never polls while logged out (until Wake) or
// while SetLocalActive(true).
//
// Without a Budget it polls just after the current item should end but at least every
// PlayingInterval while playing, every PausedInterval when paused and IdleInterval when nothing
// plays; zero durations take the Default* values.
//
// With a Budget it spends at most Budget.Calls now-playing calls in any 24 hours: one second
// after the predicted end of each item (for ads, as a 15 s and a 30 s ad would end); between
// ends, checks for skips and pauses at least Budget.Check apart; when paused or when nothing
// plays, waits from DefaultIdleBackoff doubling to DefaultMaxIdleBackoff. Once more than half
// the budget is spent, every such wait grows by half the budget over what is free (twice as
// long with a quarter free); with less than a fifth free, ends no longer bring polls forward;
// with none free, it waits until the oldest call leaves the 24 hours.
//
// Configure it before calling Run; call Run once.
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

	// Budget, when set, replaces the fixed intervals with the budgeted schedule.
	Budget *Budget

	initOnce    sync.Once
	wake        chan struct{}
	wanted      chan struct{}
	localChange chan struct{}
	mu          sync.Mutex
	local       bool
}

func (p *Poller) init() {
	p.initOnce.Do(func() {
		p.wake = make(chan struct{}, 1)
		p.wanted = make(chan struct{}, 1)
		p.localChange = make(chan struct{}, 1)
	})
}

// Wake makes Run poll now (or, while rate-limited, out of budget or stopped by the quota, as
// soon as that allows), for a change the last poll could not know of: a login or a logout. It
// never blocks and may be called before Run.
func (p *Poller) Wake() {
	p.init()
	notify(p.wake)
}

// WakeIfStale is Wake for someone who wants to see what plays (the window opened, a status bar
// connected, `tokentray now` asks): it polls only if nothing was asked yet, or if the last poll
// is at least as old as the schedule's check interval (the budgeted Check, stretched as the
// budget is used; without a Budget, PlayingInterval). So a wake never polls sooner than the
// schedule would unless the known state is stale by the schedule's own measure, and a crowd of
// watchers costs at most one call per check interval. It never blocks and may be called
// before Run.
func (p *Poller) WakeIfStale() {
	p.init()
	notify(p.wanted)
}

// SetLocalActive tells the Poller whether a local player (MPRIS) reports what plays. While it
// does the Poller makes no calls; when it stops, the Poller polls at once (music may go on
// playing on another device) and resumes its schedule. It never blocks and may be called
// before Run.
func (p *Poller) SetLocalActive(active bool) {
	p.init()
	p.mu.Lock()
	p.local = active
	p.mu.Unlock()
	notify(p.localChange)
}

func (p *Poller) localActive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.local
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // a notice is already pending
	}
}

func drain(ch chan struct{}) {
	select {
	case <-ch:
	default:
	}
}

// run is the state of one Run.
type run struct {
	p        *Poller
	clock    Clock
	log      *apicalls.Log // budgeted: the calls counted
	ownLog   bool          // budgeted without Budget.Log: Run records its own polls
	failures int           // consecutive failed polls
	idle     int           // budgeted: consecutive polls that found nothing playing or paused
}

// staleAfter is how old the last poll must be for WakeIfStale to poll again.
func (r *run) staleAfter() time.Duration {
	if r.p.Budget == nil {
		return or(r.p.PlayingInterval, DefaultPlayingInterval)
	}
	return r.stretch(or(r.p.Budget.Check, DefaultCheckInterval))
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) {
	p.init()
	r := &run{p: p, clock: p.Clock}
	if r.clock == nil {
		r.clock = RealClock()
	}
	if b := p.Budget; b != nil {
		if b.Calls <= 0 {
			if p.OnChange != nil {
				p.OnChange(State{Label: offLabel, ErrText: offText})
			}
			<-ctx.Done()
			return
		}
		r.log = b.Log
		if r.log == nil {
			r.log, r.ownLog = apicalls.Open(apicalls.Options{Now: r.clock.Now}), true
		}
		if err := r.log.Err(); err != nil {
			if p.OnChange != nil {
				p.OnChange(State{Label: unavailableLabel, ErrText: "Now playing makes no Web API calls while their count is unknown: " + err.Error()})
			}
			<-ctx.Done()
			return
		}
	}
	var (
		last  State
		shown bool
	)
	// Before the first poll, as after any other, the Poller may have to wait: a local player,
	// a budget spent before a restart, or a quota block a previous run met.
	notBefore := r.budgetFree()
	if r.log != nil {
		if until, _ := r.log.Blocked(); !until.IsZero() {
			now := r.clock.Now()
			last, shown = State{Label: unavailableLabel, QuotaUntil: until, ErrText: QuotaText(until, now)}, true
			if p.OnChange != nil {
				p.OnChange(last)
			}
			notBefore = later(notBefore, until)
		}
	}
	if !p.wait(ctx, r.clock, r.clock.Now(), notBefore, time.Time{}) {
		return
	}
	for {
		requested := r.clock.Now()
		if r.ownLog {
			r.log.Record(webapi.CurrentlyPlayingPath)
		}
		playing, err := p.Source.CurrentlyPlaying(ctx)
		if ctx.Err() != nil {
			return
		}
		state, next, notBefore := r.outcome(playing, err, requested, last)
		if p.OnChange != nil && (!shown || state.visible() != last.visible()) {
			p.OnChange(state)
			shown = true
		}
		last = state
		if !p.wait(ctx, r.clock, next, later(notBefore, r.budgetFree()), requested.Add(r.staleAfter())) {
			return
		}
	}
}

// outcome turns a poll's answer into the State to show and the next poll's time (zero: only
// after Wake), which must not come before notBefore.
func (r *run) outcome(playing *webapi.Playing, err error, requested time.Time, last State) (state State, next, notBefore time.Time) {
	p := r.p
	now := r.clock.Now()
	switch {
	case err == nil:
		r.failures = 0
		if playing == nil {
			playing = &webapi.Playing{Kind: webapi.Nothing}
		}
		state = State{Playing: playing, Label: Label(playing), Measured: requested}
		if p.Budget != nil {
			return state, now.Add(r.budgeted(playing, requested, now)), time.Time{}
		}
		return state, now.Add(p.untilNextPoll(playing, requested, now)), time.Time{}
	case p.IsLoggedOut != nil && p.IsLoggedOut(err):
		r.failures = 0
		return State{Label: loggedOutLabel, LoggedOut: true, ErrText: err.Error()}, time.Time{}, time.Time{}
	}
	r.failures++
	delay := r.stretch(backoff.Doubling{First: or(p.ErrorBackoff, DefaultErrorBackoff), Max: or(p.MaxErrorBackoff, DefaultMaxErrorBackoff)}.Wait(r.failures))
	state = State{Playing: last.Playing, Label: unavailableLabel, ErrText: err.Error()}
	if last.Playing != nil {
		state.Label = Label(last.Playing)
	}
	if apiErr, ok := errors.AsType[*webapi.Error](err); ok && apiErr.RetryAfter > 0 {
		notBefore = now.Add(apiErr.RetryAfter)
		delay = max(delay, apiErr.RetryAfter)
		if apiErr.Reason == webapi.ReasonQuotaExceeded || apiErr.RetryAfter > QuotaStop {
			state.QuotaUntil = notBefore
			state.ErrText = QuotaText(notBefore, now)
			if r.log != nil { // so that a restart does not spend a call to learn it again
				reason := apiErr.Reason
				if reason == "" {
					reason = fmt.Sprintf("Retry-After %d s", int(apiErr.RetryAfter.Seconds()))
				}
				r.log.Block(notBefore, reason)
			}
		}
	}
	return state, now.Add(delay), notBefore
}

// QuotaText is the sentence shown while Spotify's daily quota refuses calls until until.
func QuotaText(until, now time.Time) string {
	at := until.Format("15:04")
	if y, m, d := until.Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		at = until.Format("Mon 15:04")
	}
	return fmt.Sprintf("Spotify's daily quota for your apps is used up until %s; now playing resumes then", at)
}

// SharedQuotaNote tells whoever hands the credentials to another tool that the tool spends the
// same quota as tokentray's now playing, which spends at most budget calls a day.
func SharedQuotaNote(budget int) string {
	return fmt.Sprintf("Spotify counts Web API calls per developer account: a tool using these credentials shares one daily quota"+
		" (about 1,100–1,400 calls for a Development-Mode app) with tokentray, whose now playing spends at most %d calls a day.", budget)
}

const (
	offLabel = "Now playing off"
	offText  = "Now playing is off: its daily budget of Web API calls is 0"
)

// untilNextPoll is how long to wait after a successful poll, without a Budget.
func (p *Poller) untilNextPoll(playing *webapi.Playing, requested, now time.Time) time.Duration {
	switch {
	case playing.Kind == webapi.Nothing:
		return or(p.IdleInterval, DefaultIdleInterval)
	case !playing.IsPlaying:
		return or(p.PausedInterval, DefaultPausedInterval)
	}
	interval := or(p.PlayingInterval, DefaultPlayingInterval)
	end, ok := untilEnd(playing, requested, now)
	if !ok { // ads and detail-less episodes have no known end
		return interval
	}
	return min(interval, end)
}

// budgeted is how long to wait after a successful poll, with a Budget.
func (r *run) budgeted(playing *webapi.Playing, requested, now time.Time) time.Duration {
	if playing.Kind == webapi.Nothing || !playing.IsPlaying {
		r.idle++
		return r.stretch(backoff.Doubling{First: DefaultIdleBackoff, Max: DefaultMaxIdleBackoff}.Wait(r.idle))
	}
	r.idle = 0
	check := r.stretch(or(r.p.Budget.Check, DefaultCheckInterval))
	end, ok := untilEnd(playing, requested, now)
	if !ok && playing.Kind == webapi.Ad {
		end, ok = untilAdEnd(playing.Progress)
	}
	if !ok || r.free() < budgetReserve {
		return check
	}
	// Spread the checks evenly up to the end, so that the last of them is the end's poll.
	if n := math.Ceil(float64(end) / float64(check)); n > 1 {
		return (end / time.Duration(n)).Truncate(time.Second)
	}
	return end
}

// untilEnd is how long after now the item ends, plus a second (the next item is reported then),
// never less than a second; false when the end is unknown.
func untilEnd(playing *webapi.Playing, requested, now time.Time) (time.Duration, bool) {
	if playing.Duration <= 0 {
		return 0, false
	}
	remaining := playing.Duration - playing.Progress - sinceMeasured(playing.Timestamp, requested, now)
	return max(remaining+time.Second, time.Second), true
}

// untilAdEnd is untilEnd for an ad of unknown length: the next of adLengths it has not reached.
func untilAdEnd(progress time.Duration) (time.Duration, bool) {
	for _, l := range adLengths {
		if progress < l {
			return l - progress + time.Second, true
		}
	}
	return 0, false
}

// free is the fraction of the budget not yet spent in the last 24 hours.
func (r *run) free() float64 {
	calls := r.p.Budget.Calls
	return float64(calls-len(r.log.Recent(webapi.CurrentlyPlayingPath))) / float64(calls)
}

// stretch lengthens d once more than half the budget is spent: by the factor half/free, so
// twice as long with a quarter free, ten times with a twentieth (no budget: d). A day of
// listening that stays within half the budget keeps the shortest intervals throughout.
func (r *run) stretch(d time.Duration) time.Duration {
	if r.p.Budget == nil {
		return d
	}
	free := max(r.free(), 1/float64(r.p.Budget.Calls))
	return time.Duration(min(float64(d)*max(1, budgetHalf/free), float64(apicalls.Window))).Round(time.Second)
}

// budgetFree is when the budget next allows a call: zero when it does now, else when the call
// that fills it leaves the 24 hours.
func (r *run) budgetFree() time.Time {
	if r.log == nil {
		return time.Time{}
	}
	recent := r.log.Recent(webapi.CurrentlyPlayingPath)
	if n := len(recent) - r.p.Budget.Calls; n >= 0 {
		return recent[n].Add(apicalls.Window)
	}
	return time.Time{}
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

// wait blocks until next (zero: until Wake), but never returns before notBefore, nor while a
// local player is active; when that player stops it returns at once (or at notBefore). A
// WakeIfStale brings next forward only from staleAt on. It reports false when ctx is done.
func (p *Poller) wait(ctx context.Context, clock Clock, next, notBefore, staleAt time.Time) bool {
	for {
		suspended := p.localActive()
		var timer Timer
		var fired <-chan time.Time
		if !suspended && !next.IsZero() {
			timer = clock.NewTimer(later(next, notBefore).Sub(clock.Now()))
			fired = timer.C()
		}
		select {
		case <-fired:
			if p.localActive() {
				continue // the local player appeared just as the timer fired: no call
			}
			return true
		case <-ctx.Done():
			stopTimer(timer)
			return false
		case <-p.wake:
			stopTimer(timer)
			if !p.localActive() { // while the local player answers, Wake needs no call
				next = clock.Now()
			}
		case <-p.wanted:
			stopTimer(timer)
			if now := clock.Now(); !p.localActive() && !now.Before(staleAt) {
				next = now
			}
		case <-p.localChange:
			stopTimer(timer)
			if suspended && !p.localActive() {
				next = clock.Now()
				drain(p.wake) // the poll that follows answers a Wake sent meanwhile
				drain(p.wanted)
			}
		}
	}
}

// later returns the later of two instants (zero counts as the earliest).
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func stopTimer(t Timer) {
	if t != nil {
		t.Stop()
	}
}

// or returns d, or def when d is not set.
func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
