package session

import (
	"testing"
	"time"

	"tokentray/internal/clock"
	"tokentray/internal/local"
	"tokentray/internal/mpris"
	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

func TestTrackNotificationsAreOnePerItemAndCapped(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	var shown []string
	s, err := Open(Options{ConfigDir: t.TempDir(), Store: local.NewMemoryStore(), Clock: clk,
		NotifyTrack: func(np nowplaying.State) { shown = append(shown, np.Label) }})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.st.Settings.TrackNotifications = true
	s.mu.Unlock()
	play := func(id, title string, playing bool) {
		s.SetLocalPlayer(mpris.Snapshot{Player: "org.mpris.MediaPlayer2.spotify", Active: true,
			Playing: &webapi.Playing{Kind: webapi.Track, ID: id, Title: title, IsPlaying: playing}})
	}

	play("a", "Already playing", true) // at start: no notification
	play("b", "Second", true)          // 1st of the burst
	play("b", "Second", false)         // paused and resumed: the same item
	play("b", "Second", true)
	play("b", "Second (renamed)", true) // the same id
	play("c", "Second (renamed)", true) // the same label
	play("d", "Third", true)            // 2nd of the burst
	play("e", "Dropped", true)          // the bucket is empty: dropped, not delayed
	clk.Advance(59 * time.Second)
	play("f", "Still dropped", true)
	clk.Advance(time.Second) // a minute since the burst: one more
	play("g", "After a minute", true)
	play("h", "Dropped again", true)

	want := []string{"Second", "Third", "After a minute"}
	if len(shown) != len(want) {
		t.Fatalf("notified %q, want %q", shown, want)
	}
	for i := range want {
		if shown[i] != want[i] {
			t.Fatalf("notified %q, want %q", shown, want)
		}
	}
}
