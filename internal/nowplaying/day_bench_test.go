package nowplaying

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/internal/apicalls"
	"tokentray/internal/clock"
	"tokentray/internal/fakespotify"
	"tokentray/internal/webapi"
)

// The simulated day of issue 8: 8 h of listening (3–5 min tracks, 10 % skipped, 4 pauses of
// 2–20 min, an ad break of one or two 15 or 30 s ads every 30 min), then 16 h with nothing
// playing; a "now playing" website polls every 5 min all day on the same quota of 1,200 calls.
const (
	dayListening = 8 * time.Hour
	dayLength    = 24 * time.Hour
	dayQuota     = 1200
	websiteEvery = 5 * time.Minute
	daySeed      = 8
)

var dayStart = time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)

// category sorts the changes a listener sees.
type category int

const (
	naturalChange category = iota // an item ended and the next began (ads included)
	skipChange
	pauseChange // a pause or a resume
	endChange   // the last item ended: nothing plays
)

// shown is the part of a Playing the staleness is measured on.
type shown struct {
	kind    webapi.Kind
	id      string
	playing bool
}

func shownOf(p *webapi.Playing) shown {
	if p == nil {
		return shown{kind: -1}
	}
	return shown{p.Kind, p.ID, p.IsPlaying}
}

type change struct {
	at   time.Time
	cat  category
	want shown
}

type action struct {
	at time.Time
	do func(*fakespotify.Player)
}

// listeningDay is the script: the player's queue, the actions on it and the changes they cause.
type listeningDay struct {
	queue   []fakespotify.Item
	actions []action
	changes []change
}

func newListeningDay(seed uint64) listeningDay {
	rng := rand.New(rand.NewPCG(seed, seed))
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(rng.Int64N(int64(hi-lo))) }
	type pause struct {
		at     time.Time
		length time.Duration
	}
	pauses := make([]pause, 4)
	for i := range pauses {
		pauses[i] = pause{dayStart.Add(between(10*time.Minute, dayListening-time.Hour)).Truncate(time.Second),
			between(2*time.Minute, 20*time.Minute).Truncate(time.Second)}
	}
	slices.SortFunc(pauses, func(a, b pause) int { return a.at.Compare(b.at) })
	for i := 1; i < len(pauses); i++ { // one pause at a time
		pauses[i].at = later(pauses[i].at, pauses[i-1].at.Add(pauses[i-1].length+time.Minute))
	}

	var d listeningDay
	t, nextAd, cat := dayStart, dayStart.Add(30*time.Minute), naturalChange
	for t.Before(dayStart.Add(dayListening)) {
		items := []fakespotify.Item{{Kind: "track", ID: "t" + string(rune('A'+len(d.queue)%26)) + time.Duration(len(d.queue)).String(),
			Name: "Song", Artists: []string{"Artist"}, Duration: between(3*time.Minute, 5*time.Minute).Truncate(time.Second)}}
		if !t.Before(nextAd) {
			items = items[:0]
			for range 1 + rng.IntN(2) {
				items = append(items, fakespotify.Item{Kind: "ad", Name: "Advertisement", Duration: []time.Duration{15 * time.Second, 30 * time.Second}[rng.IntN(2)]})
			}
			nextAd = nextAd.Add(30 * time.Minute)
		}
		for _, it := range items {
			d.queue = append(d.queue, it)
			kind := map[string]webapi.Kind{"track": webapi.Track, "ad": webapi.Ad}[it.Kind]
			d.changes = append(d.changes, change{t, cat, shown{kind, it.ID, true}})
			playFor, skipped := it.Duration, it.Kind == "track" && rng.Float64() < 0.1
			if skipped {
				playFor = time.Duration(float64(it.Duration) * (0.1 + 0.8*rng.Float64())).Truncate(time.Millisecond)
			}
			cursor := t
			for len(pauses) > 0 && !pauses[0].at.Before(cursor) && pauses[0].at.Before(cursor.Add(playFor)) {
				p := pauses[0]
				pauses = pauses[1:]
				playFor -= p.at.Sub(cursor)
				cursor = p.at.Add(p.length)
				d.actions = append(d.actions, action{p.at, (*fakespotify.Player).Pause}, action{cursor, (*fakespotify.Player).Play})
				d.changes = append(d.changes, change{p.at, pauseChange, shown{kind, it.ID, false}}, change{cursor, pauseChange, shown{kind, it.ID, true}})
			}
			t, cat = cursor.Add(playFor), naturalChange
			if skipped {
				d.actions = append(d.actions, action{t, (*fakespotify.Player).Next})
				cat = skipChange
			}
		}
	}
	// The queue ends: nothing plays for the rest of the day.
	d.changes = append(d.changes, change{t, endChange, shown{kind: webapi.Nothing}})
	return d
}

// countCalls is a webapi.Recorder that counts, and passes the call on to a Log.
type countCalls struct {
	n   atomic.Int64
	log *apicalls.Log
}

func (c *countCalls) Record(path string) {
	c.n.Add(1)
	c.log.Record(path)
}

// dayResult is what one strategy achieved over the day.
type dayResult struct {
	calls                  int
	natural, skips, pauses []time.Duration // staleness of each change that starts a stale spell
	wrong                  time.Duration   // how long the tray showed something else than what played
	tray429, website429    int
}

// simulateDay plays the day against a fake Spotify with the quota on, with a Poller configured
// by configure, and measures. The fake Spotify and the Poller run on the same simulated time:
// actions happen first at an instant, then the poll due at that instant.
func simulateDay(b *testing.B, day listeningDay, configure func(*Poller, *apicalls.Log)) dayResult {
	var mu sync.Mutex
	simNow := dayStart
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return simNow }
	fake, base, trayToken, err := fakespotify.StartLoggedIn(b.Context(), fakespotify.Options{Now: now, TokenLifetime: 2 * dayLength},
		fakespotify.DemoApp, "user-read-currently-playing")
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	siteToken, err := fakespotify.LogIn(b.Context(), base, fakespotify.DemoApp, "user-read-currently-playing")
	if err != nil {
		b.Fatal(err)
	}
	fake.SetQuota(fakespotify.Quota{Calls: dayQuota, Window: dayLength})
	fake.Player().SetQueue(day.queue...)

	clk := clock.NewFake(dayStart)
	log := apicalls.Open(apicalls.Options{Now: clk.Now})
	calls := &countCalls{log: log}
	client := &webapi.Client{BaseURL: base, Tokens: webapi.FixedToken(trayToken), Calls: calls}
	type record struct {
		at   time.Time
		what shown
	}
	var shownMu sync.Mutex
	var records []record
	p := &Poller{Source: client, Clock: clk, OnChange: func(s State) {
		shownMu.Lock()
		defer shownMu.Unlock()
		records = append(records, record{clk.Now(), shownOf(s.Playing)})
	}}
	configure(p, log)

	var res dayResult
	website := func(*fakespotify.Player) {
		req, _ := http.NewRequest(http.MethodGet, base+webapi.CurrentlyPlayingPath, nil)
		req.Header.Set("Authorization", "Bearer "+siteToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			res.website429++
		}
	}
	actions := slices.Clone(day.actions)
	for at := dayStart.Add(websiteEvery / 2); at.Before(dayStart.Add(dayLength)); at = at.Add(websiteEvery) {
		actions = append(actions, action{at, website})
	}
	slices.SortStableFunc(actions, func(a, b action) int { return a.at.Compare(b.at) })

	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	end := dayStart.Add(dayLength)
	for t := dayStart; t.Before(end); {
		next := end
		if !p.localActive() {
			if err := clk.BlockUntil(ctx, 1); err != nil { // the Poller is parked on its timer
				b.Fatal(err)
			}
			if poll := clk.Deadlines()[0]; poll.Before(next) {
				next = poll
			}
		}
		if len(actions) > 0 && !actions[0].at.After(next) {
			next = actions[0].at
		}
		mu.Lock()
		simNow = next
		mu.Unlock()
		for len(actions) > 0 && actions[0].at.Equal(next) {
			actions[0].do(fake.Player())
			actions = actions[1:]
		}
		clk.Advance(next.Sub(clk.Now()))
		t = next
	}
	cancel()
	<-done

	res.calls = int(calls.n.Load())
	res.tray429 = fake.QuotaRefused() - res.website429
	shownMu.Lock()
	defer shownMu.Unlock()
	displayedAt := func(t time.Time) shown { // what the tray showed at t, after a poll at t
		i, _ := slices.BinarySearchFunc(records, t, func(r record, t time.Time) int {
			if r.at.After(t) {
				return 1
			}
			return -1
		})
		if i == 0 {
			return shown{kind: -1}
		}
		return records[i-1].what
	}
	// Each visible change the tray showed correctly up to then starts a stale spell, which lasts
	// until the tray is correct again. Changes during a spell belong to it: a track that ends
	// while a missed resume is still unseen is the pause's cost, not the scheduler's at ends.
	caughtUp := func(i int) time.Time { // the first instant from changes[i] on when the tray is right
		for j := i; j < len(day.changes); j++ {
			from, until := day.changes[j].at, end
			if j+1 < len(day.changes) {
				until = day.changes[j+1].at
			}
			if displayedAt(from) == day.changes[j].want {
				return from
			}
			for _, r := range records {
				if r.at.After(from) && r.at.Before(until) && r.what == day.changes[j].want {
					return r.at
				}
			}
		}
		return end
	}
	breaks := []time.Time{end}
	for _, c := range day.changes {
		breaks = append(breaks, c.at)
	}
	for _, r := range records {
		breaks = append(breaks, r.at)
	}
	slices.SortFunc(breaks, time.Time.Compare)
	truth := 0
	for k := 0; k+1 < len(breaks); k++ {
		for truth+1 < len(day.changes) && !day.changes[truth+1].at.After(breaks[k]) {
			truth++
		}
		if displayedAt(breaks[k]) != day.changes[truth].want {
			res.wrong += breaks[k+1].Sub(breaks[k])
		}
	}
	for i, c := range day.changes {
		if i == 0 || c.want == day.changes[i-1].want || displayedAt(c.at.Add(-time.Nanosecond)) != day.changes[i-1].want {
			continue // the first item; an ad after an ad; or a change within a stale spell
		}
		stale := caughtUp(i).Sub(c.at)
		switch c.cat {
		case naturalChange:
			res.natural = append(res.natural, stale)
		case skipChange:
			res.skips = append(res.skips, stale)
		case pauseChange:
			res.pauses = append(res.pauses, stale)
		}
	}
	return res
}

// percentile is the nearest-rank percentile of ds, in seconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return s[int(math.Ceil(p*float64(len(s))))-1].Seconds()
}

// BenchmarkListeningDay compares now-playing strategies over the simulated day, against the
// fake Spotify over loopback HTTP; the numbers are the same on every run (fake clock, seeded
// script). Reproduce the README's table with
//
//	go test -run '^$' -bench ListeningDay -benchtime 1x ./internal/nowplaying
//
// Metrics: calls/day are the tray's now-playing calls (429s included); natural-p50-s,
// natural-p95-s, skip-p95-s and pause-p95-s are how long the tray stayed wrong after a change of
// that kind, counted for each change that found the tray right (a change while the tray is
// still wrong prolongs the earlier change's spell: a track that ends while a missed resume is
// unseen counts to the pause); wrong-h/day is the total time the tray showed something other
// than what played; tray-429s and website-429s are the answers refused by the shared quota.
func BenchmarkListeningDay(b *testing.B) {
	day := newListeningDay(daySeed)
	strategies := []struct {
		name      string
		configure func(*Poller, *apicalls.Log)
		local     bool
	}{
		{"fixed-5s", func(p *Poller, _ *apicalls.Log) {
			p.PlayingInterval, p.PausedInterval, p.IdleInterval = 5*time.Second, 5*time.Second, 5*time.Second
		}, false},
		{"15-30-60s", func(*Poller, *apicalls.Log) {}, false},
		{"budgeted-500", func(p *Poller, log *apicalls.Log) { p.Budget = &Budget{Calls: DefaultBudgetCalls, Log: log} }, false},
		// A local player answers all day, so the Poller is suspended throughout.
		{"mpris", func(p *Poller, _ *apicalls.Log) { p.SetLocalActive(true) }, true},
	}
	for _, s := range strategies {
		b.Run(s.name, func(b *testing.B) {
			var r dayResult
			for b.Loop() {
				r = simulateDay(b, day, s.configure)
			}
			b.ReportMetric(float64(r.calls), "calls/day")
			b.ReportMetric(float64(r.tray429), "tray-429s")
			b.ReportMetric(float64(r.website429), "website-429s")
			if s.local {
				return // the label follows the player's signals, which BenchmarkSignalToCallback in internal/mpris times
			}
			b.ReportMetric(percentile(r.natural, 0.5), "natural-p50-s")
			b.ReportMetric(percentile(r.natural, 0.95), "natural-p95-s")
			b.ReportMetric(percentile(r.skips, 0.95), "skip-p95-s")
			b.ReportMetric(percentile(r.pauses, 0.95), "pause-p95-s")
			b.ReportMetric(r.wrong.Hours(), "wrong-h/day")
			b.Logf("stale spells begun by %d natural changes, %d skips, %d pauses or resumes", len(r.natural), len(r.skips), len(r.pauses))
		})
	}
}
