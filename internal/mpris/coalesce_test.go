package mpris

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/clock"
	"tokentray/internal/mpris/mpristest"
)

func titled(id, title string) map[string]dbus.Variant {
	return map[string]dbus.Variant{"mpris:trackid": v("spotify:track:" + id), "xesam:title": v(title)}
}

func titleOf(s Snapshot) string {
	if s.Playing == nil {
		return "(nothing)"
	}
	return s.Playing.Title
}

// expectTitle waits for the next snapshot and checks its title.
func expectTitle(t *testing.T, snaps chan Snapshot, want string) {
	t.Helper()
	select {
	case got := <-snaps:
		if titleOf(got) != want {
			t.Fatalf("snapshot %q, want %q", titleOf(got), want)
		}
	case <-time.After(guard):
		t.Fatalf("no snapshot; want %q", want)
	}
}

// expectNone checks that no snapshot is delivered while the fake clock stands still. A wrong
// delivery is usually there well within quiet; a correct watcher never sends one.
func expectNone(t *testing.T, snaps chan Snapshot, quiet time.Duration) {
	t.Helper()
	select {
	case got := <-snaps:
		t.Fatalf("snapshot %q delivered before Coalesce passed", titleOf(got))
	case <-time.After(quiet):
	}
}

func TestWatchCoalescesWithALeadingAndATrailingEdge(t *testing.T) {
	addr := mpristest.PrivateBus(t)
	p := mpristest.StartPlayer(t, addr, spotify, "Playing", titled("a", "first"))
	clk := clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	snaps := make(chan Snapshot, 64)
	w, err := watchWithClock(ctx, mpristest.Connect(t, addr), nil, clk, func(s Snapshot) { snaps <- s })
	if err != nil {
		t.Fatal(err)
	}
	expectTitle(t, snaps, "first")

	// The first change after a quiet Coalesce is delivered at once (the fake clock has not
	// moved since the watcher started, but nothing was delivered after the start).
	clk.Advance(Coalesce)
	p.Set("", titled("b", "second"))
	expectTitle(t, snaps, "second")

	// Two more changes right after: held until Coalesce has passed since "second", then
	// delivered as one, the last one.
	p.Set("", titled("c", "third"))
	p.Set("", titled("d", "fourth"))
	waitCtx, stop := context.WithTimeout(ctx, guard)
	defer stop()
	if err := clk.BlockUntil(waitCtx, 1); err != nil {
		t.Fatalf("the watcher armed no timer for the trailing edge: %v", err)
	}
	if got, want := clk.Deadlines()[0], clk.Now().Add(Coalesce); !got.Equal(want) {
		t.Fatalf("trailing delivery at %s, want %s (Coalesce after the last delivery)", got, want)
	}
	for titleOf(w.snapshot()) != "fourth" { // taken in, not delivered
		if waitCtx.Err() != nil {
			t.Fatal("the watcher never took in the fourth title")
		}
		time.Sleep(time.Millisecond)
	}
	expectNone(t, snaps, 200*time.Millisecond)
	clk.Advance(Coalesce)
	expectTitle(t, snaps, "fourth")
	expectNone(t, snaps, 200*time.Millisecond)
}

// TestWatchCoalescesAFlood floods PropertiesChanged with a new title each, as a broken or
// hostile player can: the snapshots delivered stay within one per Coalesce of elapsed time,
// and the last one names the last title.
func TestWatchCoalescesAFlood(t *testing.T) {
	const flood = 5000
	addr := mpristest.PrivateBus(t)
	p := mpristest.StartPlayer(t, addr, spotify, "Playing", titled("start", "start"))
	_, snaps := watch(t, addr, nil)
	expectTitle(t, snaps, "start")

	var got []Snapshot
	began := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range snaps {
			got = append(got, s)
			if titleOf(s) == fmt.Sprintf("title %d", flood-1) {
				return
			}
		}
	}()
	for i := range flood {
		p.Set("", titled(fmt.Sprintf("t%d", i), fmt.Sprintf("title %d", i)))
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the last title never arrived; %d snapshots, the last %q", len(got), titleOf(got[len(got)-1]))
	}
	elapsed := time.Since(began)
	// The leading edge, then at most one per Coalesce.
	if bound := 1 + int(elapsed/Coalesce) + 1; len(got) > bound {
		t.Fatalf("%d snapshots for %d signals in %s, want at most %d (one per %s)", len(got), flood, elapsed, bound, Coalesce)
	}
	t.Logf("%d signals in %s: %d snapshots", flood, elapsed, len(got))
}
