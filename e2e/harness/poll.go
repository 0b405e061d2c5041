//go:build e2e || faults

package harness

import (
	"context"
	"fmt"
	"time"
)

// DefaultWait bounds every wait whose context carries no deadline, so that a forgotten
// deadline turns into a failure message instead of a hung test binary.
const DefaultWait = 30 * time.Second

// pollInterval is short enough that waits add little latency and long enough that a
// poll loop costs nothing next to a Fyne app on 2 cores.
const pollInterval = 50 * time.Millisecond

// bounded returns ctx with DefaultWait applied when ctx has no deadline of its own.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultWait)
}

// poll calls check until it reports done, returns an error, or ctx ends. On timeout the
// error names what was awaited and includes describe(), the state a reader needs to see
// why the wait failed (the current menu, the notifications so far, ...).
func poll[T any](ctx context.Context, what string, check func(context.Context) (T, bool, error), describe func() string) (T, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		v, done, err := check(ctx)
		switch {
		case done && err == nil:
			return v, nil
		case ctx.Err() != nil: // also when check failed because the deadline cut it short
			var zero T
			return zero, fmt.Errorf("timed out waiting for %s (%v); current state:\n%s", what, ctx.Err(), describe())
		case err != nil:
			return v, err
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}
