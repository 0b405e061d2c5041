package auth

import (
	"context"
	"errors"
	"time"
)

// EventKind says what the background keeper did.
type EventKind int

const (
	// Refreshed: a new access token is in place (Event.Token).
	Refreshed EventKind = iota
	// NeedsLogin: Spotify refused the refresh token, or there is none; the keeper waits for a login.
	NeedsLogin
	// RefreshFailed: a transient failure (network, 5xx, 429); the keeper retries with backoff.
	RefreshFailed
)

// Event reports one step of KeepAlive.
type Event struct {
	Kind     EventKind
	Token    *UserToken // Refreshed
	Err      error      // NeedsLogin, RefreshFailed
	Failures int        // consecutive failures so far (RefreshFailed)
}

// keeperRecheck bounds how long the keeper trusts a timer.
const keeperRecheck = time.Minute

// keeperBackoff caps the waits between failed background refreshes.
var keeperBackoff = RetryPolicy{Base: 5 * time.Second, Max: 5 * time.Minute}

// KeepAlive refreshes the user token in the background so that it always has MinValid +
// KeepAhead left, until ctx ends. It reports every change through notify (called on this
// goroutine). After NeedsLogin it sleeps until a Login succeeds in this process.
func (m *Manager) KeepAlive(ctx context.Context, notify func(Event)) {
	failures := 0
	last := ""
	for {
		ut, err := m.userToken(ctx, m.cfg.MinValidity()+KeepAhead, "")
		var wait <-chan time.Time
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			failures = 0
			if ut.AccessToken != last {
				last = ut.AccessToken
				notify(Event{Kind: Refreshed, Token: ut})
			}
			// Re-check at least every minute: timers do not run while a laptop sleeps, and
			// the check costs nothing while the cached token is still good.
			wait = time.After(min(m.keeperDue(ut), keeperRecheck))
		case errors.Is(err, ErrNeedsLogin):
			last = ""
			notify(Event{Kind: NeedsLogin, Err: err})
			wait = nil // only a login wakes us
		default:
			failures++
			notify(Event{Kind: RefreshFailed, Err: err, Failures: failures})
			wait = time.After(keeperBackoff.backoff(failures))
		}
		select {
		case <-ctx.Done():
			return
		case <-wait:
		case <-m.wake:
		}
	}
}

// wakeKeeper makes KeepAlive look again now: after a login, or when a login became needed.
func (m *Manager) wakeKeeper() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// keeperDue is how long the keeper may wait before refreshing ut: until MinValid + KeepAhead are
// left, or, for tokens too short-lived for that (never Spotify's hour), until MinValid are left.
func (m *Manager) keeperDue(ut *UserToken) time.Duration {
	left := ut.Remaining(m.now())
	due := left - m.cfg.MinValidity() - KeepAhead
	if due <= 0 {
		due = left - m.cfg.MinValidity()
	}
	return max(due, time.Second)
}
