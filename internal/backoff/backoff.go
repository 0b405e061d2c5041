// Package backoff is tokentray's one rule for waiting after failures: waits double from a first
// one up to a limit. Jittered spreads a wait, so that many clients recovering from the same
// outage do not retry in lockstep.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Doubling waits First after the first failure, twice as long after each further one, and
// never longer than Max.
type Doubling struct {
	First, Max time.Duration
}

// Wait is the wait after failure n (1-based); n below 1 counts as 1.
func (d Doubling) Wait(n int) time.Duration {
	w := d.First << min(max(n, 1)-1, 30)
	if w <= 0 || w > d.Max {
		return d.Max
	}
	return w
}

// Jittered is Wait spread over its upper half: never less than half, so a wait is still a wait.
func (d Doubling) Jittered(n int) time.Duration {
	w := d.Wait(n)
	return w/2 + rand.N(w/2+1)
}
