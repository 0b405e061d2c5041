package clock

import (
	"context"
	"testing"
	"time"
)

func TestFakeClockFiresDueTimersOnly(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := NewFake(t0)
	early, late := c.NewTimer(time.Second), c.NewTimer(time.Minute)
	if err := c.BlockUntil(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second - time.Nanosecond)
	select {
	case <-early.C():
		t.Fatal("timer fired before its deadline")
	default:
	}
	c.Advance(time.Nanosecond)
	if got := <-early.C(); !got.Equal(t0.Add(time.Second)) {
		t.Errorf("fired with %v, want %v", got, t0.Add(time.Second))
	}
	if got := c.Deadlines(); len(got) != 1 || !got[0].Equal(t0.Add(time.Minute)) {
		t.Errorf("Deadlines = %v, want [%v]", got, t0.Add(time.Minute))
	}
	if !late.Stop() {
		t.Error("Stop of a pending timer = false, want true")
	}
	if early.Stop() {
		t.Error("Stop of a fired timer = true, want false")
	}
	c.Advance(time.Hour)
	select {
	case <-late.C():
		t.Fatal("stopped timer fired")
	default:
	}
}

func TestFakeClockBlockUntilHonoursContext(t *testing.T) {
	c := NewFake(time.Time{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.BlockUntil(ctx, 1); err == nil {
		t.Fatal("BlockUntil returned nil with no timers and a cancelled context")
	}
}
