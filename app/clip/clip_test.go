package clip

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// fakeTimers records scheduled funcs so a test fires them without waiting.
type fakeTimers struct {
	pending []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ft *fakeTimers) after(d time.Duration, f func()) func() {
	t := &fakeTimer{d: d, f: f}
	ft.pending = append(ft.pending, t)
	return func() { t.stopped = true }
}

// fire runs every timer that was not stopped, as if their time had come.
func (ft *fakeTimers) fire() {
	for _, t := range ft.pending {
		if !t.stopped {
			t.f()
		}
	}
	ft.pending = nil
}

func TestCopyThenClearAfterDelay(t *testing.T) {
	a := test.NewTempApp(t)
	timers := &fakeTimers{}
	c := New(a.Clipboard(), 60*time.Second, timers.after)

	c.Copy("BQD-access-token")
	if got := a.Clipboard().Content(); got != "BQD-access-token" {
		t.Fatalf("clipboard = %q after copy", got)
	}
	if len(timers.pending) != 1 || timers.pending[0].d != 60*time.Second {
		t.Fatalf("want one clear scheduled in 60s, got %+v", timers.pending)
	}
	timers.fire()
	if got := a.Clipboard().Content(); got != "" {
		t.Fatalf("clipboard = %q after the clear, want empty", got)
	}
}

func TestClearLeavesWhatTheUserCopiedSince(t *testing.T) {
	a := test.NewTempApp(t)
	timers := &fakeTimers{}
	c := New(a.Clipboard(), time.Minute, timers.after)

	c.Copy("token")
	a.Clipboard().SetContent("the user's own text")
	timers.fire()
	if got := a.Clipboard().Content(); got != "the user's own text" {
		t.Fatalf("clipboard = %q, the clear must not touch content we did not copy", got)
	}
}

func TestSecondCopyCancelsFirstClear(t *testing.T) {
	a := test.NewTempApp(t)
	timers := &fakeTimers{}
	c := New(a.Clipboard(), time.Minute, timers.after)

	c.Copy("same")
	first := timers.pending[0]
	c.Copy("same")
	if !first.stopped {
		t.Fatal("the first copy's clear still pending: it would empty the second copy early")
	}
	if len(timers.pending) != 2 || timers.pending[1].stopped {
		t.Fatalf("the second copy must schedule its own clear: %+v", timers.pending)
	}
}

func TestZeroNeverClears(t *testing.T) {
	a := test.NewTempApp(t)
	timers := &fakeTimers{}
	c := New(a.Clipboard(), time.Minute, timers.after)
	c.SetClearAfter(0)

	c.Copy("keep me")
	if len(timers.pending) != 0 {
		t.Fatalf("clear scheduled although disabled: %+v", timers.pending)
	}
	if got := a.Clipboard().Content(); got != "keep me" {
		t.Fatalf("clipboard = %q", got)
	}
}
