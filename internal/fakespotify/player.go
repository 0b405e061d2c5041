package fakespotify

import (
	"slices"
	"sync"
	"time"
)

// Item is something the player can play.
type Item struct {
	Kind    string // "track", "episode" or "ad"
	ID      string
	Name    string
	Artists []string // for an episode: its show's publisher
	Album   string   // tracks
	Show    string   // episodes
	// Duration of the item; one of zero length ends as soon as it starts.
	Duration time.Duration
}

// Player is a clock-driven queue: while playing, progress advances with the
// server's clock, and at the end of an item the next one starts. It is what
// /v1/me/player/currently-playing reports. Safe for concurrent use.
type Player struct {
	now  func() time.Time
	loop bool

	mu      sync.Mutex
	queue   []Item
	index   int
	active  bool          // an item is loaded; false means "nothing playing" (204)
	playing bool          // not paused
	pos     time.Duration // progress into queue[index] at anchor
	anchor  time.Time
}

// SetQueue replaces the queue and starts playing its first item. An empty
// queue means nothing plays.
func (p *Player) SetQueue(items ...Item) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = slices.Clone(items)
	for i := range p.queue {
		p.queue[i].Duration = max(p.queue[i].Duration, 0)
	}
	p.stopLocked()
	p.startLocked(0)
}

// Queue returns a copy of the queue.
func (p *Player) Queue() []Item {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.queue)
}

// Play resumes; after Stop or the end of a non-looping queue it starts the
// queue from the top.
func (p *Player) Play() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanceLocked()
	if !p.active {
		p.startLocked(0)
		return
	}
	p.playing, p.anchor = true, p.now()
}

// Pause freezes progress; Current still reports the item (is_playing false).
func (p *Player) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanceLocked()
	p.playing = false
}

// Next skips to the start of the next item and plays it, like Spotify's skip
// button; past the last item it loops or stops, as configured.
func (p *Player) Next() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanceLocked()
	if !p.active {
		return
	}
	if p.index+1 < len(p.queue) {
		p.startLocked(p.index + 1)
	} else if p.loop {
		p.startLocked(0)
	} else {
		p.stopLocked()
	}
}

// Stop leaves nothing playing: currently-playing answers 204.
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
}

// Current reports what plays now; ok is false when nothing does.
func (p *Player) Current() (item Item, progress time.Duration, playing bool, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanceLocked()
	if !p.active {
		return Item{}, 0, false, false
	}
	it := p.queue[p.index]
	it.Artists = slices.Clone(it.Artists)
	return it, p.pos, p.playing, true
}

func (p *Player) startLocked(index int) {
	if index >= len(p.queue) {
		return
	}
	p.index, p.pos, p.active, p.playing, p.anchor = index, 0, true, true, p.now()
	p.advanceLocked() // zero-length items end at once
}

func (p *Player) stopLocked() {
	p.index, p.pos, p.active, p.playing = 0, 0, false, false
}

// advanceLocked moves progress to the clock's now, across item boundaries.
func (p *Player) advanceLocked() {
	if !p.active || !p.playing {
		return
	}
	now := p.now()
	pos := p.pos + max(now.Sub(p.anchor), 0)
	p.anchor = now
	for pos >= p.queue[p.index].Duration {
		pos -= p.queue[p.index].Duration
		p.index++
		if p.index < len(p.queue) {
			continue
		}
		total := p.totalLocked()
		if !p.loop || total == 0 {
			p.stopLocked()
			return
		}
		// Whole passes through the queue change nothing; skipping them keeps
		// a big clock jump cheap.
		p.index, pos = 0, pos%total
	}
	p.pos = pos
}

func (p *Player) totalLocked() time.Duration {
	var total time.Duration
	for _, it := range p.queue {
		total += it.Duration
	}
	return total
}
