package backoff

import (
	"testing"
	"time"
)

func TestWaitsDoubleUpToTheLimit(t *testing.T) {
	d := Doubling{First: 5 * time.Second, Max: time.Minute}
	want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i, n := range []int{0, 1, 2, 3, 4, 5, 200} {
		if got := d.Wait(n); got != want[i] {
			t.Errorf("Wait(%d) = %s, want %s", n, got, want[i])
		}
	}
}

func TestJitterStaysInTheUpperHalf(t *testing.T) {
	d := Doubling{First: time.Second, Max: 8 * time.Second}
	for range 1000 {
		if got := d.Jittered(3); got < 2*time.Second || got > 4*time.Second {
			t.Fatalf("Jittered(3) = %s, want 2s..4s", got)
		}
	}
}
