package mpris

import (
	"context"
	"testing"

	"tokentray/internal/mpris/mpristest"
)

// watch runs Watch on its own connection and delivers its snapshots on a channel.
func watch(t testing.TB, addr string, suffixes []string) (*Watcher, chan Snapshot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	snaps := make(chan Snapshot, 64)
	w, err := Watch(ctx, mpristest.Connect(t, addr), suffixes, func(s Snapshot) { snaps <- s })
	if err != nil {
		t.Fatal(err)
	}
	return w, snaps
}
