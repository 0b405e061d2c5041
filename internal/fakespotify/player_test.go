package fakespotify_test

import (
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

func item(id string, d time.Duration) fakespotify.Item {
	return fakespotify.Item{Kind: "track", ID: id, Name: id, Artists: []string{"artist"}, Duration: d}
}

// newPlayer returns a player on a fake clock with the queue a(10s) b(20s) c(5s).
func newPlayer(loop bool) (*fakespotify.Player, *clock) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	p := fakespotify.New(fakespotify.Options{Now: c.Now, Loop: loop}).Player()
	p.SetQueue(item("a", 10*time.Second), item("b", 20*time.Second), item("c", 5*time.Second))
	return p, c
}

// step is one action on the player followed by the state Current must report.
type step struct {
	do           func(p *fakespotify.Player, c *clock)
	wantID       string // "" means nothing plays
	wantProgress time.Duration
	wantPlaying  bool
}

func advance(d time.Duration) func(*fakespotify.Player, *clock) {
	return func(_ *fakespotify.Player, c *clock) { c.Advance(d) }
}

func TestPlayer(t *testing.T) {
	pause := func(p *fakespotify.Player, _ *clock) { p.Pause() }
	play := func(p *fakespotify.Player, _ *clock) { p.Play() }
	next := func(p *fakespotify.Player, _ *clock) { p.Next() }
	stop := func(p *fakespotify.Player, _ *clock) { p.Stop() }
	tests := []struct {
		name  string
		loop  bool
		steps []step
	}{
		{"progress crosses items", false, []step{
			{advance(0), "a", 0, true},
			{advance(4 * time.Second), "a", 4 * time.Second, true},
			{advance(10 * time.Second), "b", 4 * time.Second, true},
			{advance(20 * time.Second), "c", 4 * time.Second, true},
		}},
		{"pause freezes progress, play resumes", false, []step{
			{advance(3 * time.Second), "a", 3 * time.Second, true},
			{pause, "a", 3 * time.Second, false},
			{advance(time.Hour), "a", 3 * time.Second, false},
			{play, "a", 3 * time.Second, true},
			{advance(2 * time.Second), "a", 5 * time.Second, true},
		}},
		{"end of queue stops without loop", false, []step{
			{advance(35 * time.Second), "", 0, false},
			{advance(time.Hour), "", 0, false},
			{play, "a", 0, true}, // Play starts the queue again
		}},
		{"end of queue wraps with loop", true, []step{
			{advance(36 * time.Second), "a", time.Second, true},
			{advance(35*time.Second*1000 + 12*time.Second), "b", 3 * time.Second, true}, // 1000 whole passes later
		}},
		{"next skips to the start and plays", false, []step{
			{advance(5 * time.Second), "a", 5 * time.Second, true},
			{pause, "a", 5 * time.Second, false},
			{next, "b", 0, true},
			{next, "c", 0, true},
			{next, "", 0, false},
		}},
		{"next wraps with loop", true, []step{
			{next, "b", 0, true},
			{next, "c", 0, true},
			{next, "a", 0, true},
		}},
		{"stop leaves nothing playing", true, []step{
			{advance(12 * time.Second), "b", 2 * time.Second, true},
			{stop, "", 0, false},
			{next, "", 0, false},
			{play, "a", 0, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newPlayer(tt.loop)
			for i, s := range tt.steps {
				s.do(p, c)
				it, progress, playing, ok := p.Current()
				if ok != (s.wantID != "") || it.ID != s.wantID || progress != s.wantProgress || playing != s.wantPlaying {
					t.Fatalf("step %d: got %q %v playing=%v ok=%v, want %q %v playing=%v",
						i, it.ID, progress, playing, ok, s.wantID, s.wantProgress, s.wantPlaying)
				}
			}
		})
	}
}

func TestPlayerEdgeCases(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	p := fakespotify.New(fakespotify.Options{Now: c.Now, Loop: true}).Player()

	p.SetQueue(item("zero", 0), item("real", time.Second))
	if it, _, _, _ := p.Current(); it.ID != "real" {
		t.Fatalf("a zero-length item must end at once; playing %q", it.ID)
	}
	p.SetQueue(item("zero", 0), item("negative", -time.Second))
	if _, _, _, ok := p.Current(); ok {
		t.Fatal("a looping queue of zero-length items must stop, not spin")
	}
	p.SetQueue()
	if p.Play(); func() bool { _, _, _, ok := p.Current(); return ok }() {
		t.Fatal("Play on an empty queue must leave nothing playing")
	}

	p.SetQueue(item("a", time.Second))
	it, _, _, _ := p.Current()
	it.Artists[0] = "changed"
	if again, _, _, _ := p.Current(); again.Artists[0] != "artist" {
		t.Fatal("Current must return a copy the caller cannot use to change the queue")
	}
}
