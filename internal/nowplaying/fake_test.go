package nowplaying

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"tokentray/internal/apicalls"
	"tokentray/internal/clock"
	"tokentray/internal/fakespotify"
	"tokentray/internal/webapi"
)

// fakeSpotify starts a fake Spotify on a loopback port, on the clock now, and returns a
// logged-in client.
func fakeSpotify(t testing.TB, now func() time.Time) (*fakespotify.Server, *webapi.Client) {
	t.Helper()
	fake, base, at, err := fakespotify.StartLoggedIn(context.Background(), fakespotify.Options{Now: now}, fakespotify.DemoApp, "user-read-currently-playing")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	return fake, &webapi.Client{BaseURL: base, Tokens: webapi.FixedToken(at)}
}

func TestAgainstTheFake(t *testing.T) {
	clk := clock.NewFake(t0)
	fake, client := fakeSpotify(t, clk.Now)
	log := apicalls.Open(apicalls.Options{Now: clk.Now})
	client.Calls = log
	fake.SetDevModeRefusal(fakespotify.DevModeUnregisteredUser)
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "t1", Name: "Song", Artists: []string{"Artist"}, Duration: 3 * time.Minute})

	states := make(chan State, 4)
	p := &Poller{Source: client, Clock: clk, OnChange: func(s State) { states <- s }, Budget: &Budget{Calls: 500, Log: log}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	next := func() State {
		t.Helper()
		select {
		case s := <-states:
			return s
		case <-time.After(guard):
			t.Fatal("no OnChange")
			return State{}
		}
	}
	// The Dev-Mode refusal reaches the tray's text unchanged, with its fix.
	want := "Spotify refused this account: the app is in Development Mode and the account is not on its user list " +
		"(Spotify Web API: Check settings on developer.spotify.com/dashboard, the user may not be registered. (HTTP 403)). " +
		"Add the account's name and e-mail under User Management in the app's dashboard at developer.spotify.com/dashboard " +
		"(at most 5 users), and check that the app owner has Premium; then try again"
	if s := next(); s.ErrText != want || s.Label != "Now playing unavailable" {
		t.Fatalf("state %+v\nwant ErrText %q", s, want)
	}

	// The user is added in the dashboard; the next poll (a Wake, as when the window opens) shows the track.
	fake.SetDevModeRefusal(fakespotify.DevModeAllowed)
	p.Wake()
	if s := next(); s.ErrText != "" || s.Label != "Artist — Song" {
		t.Fatalf("after the fix: %+v", s)
	}
	if n := len(log.Recent(webapi.CurrentlyPlayingPath)); n != 2 {
		t.Fatalf("the call log holds %d now-playing calls, want 2", n)
	}
}

func TestTheFakesQuotaIsNotAskedAgainAfterARestart(t *testing.T) {
	clk := clock.NewFake(t0)
	fake, client := fakeSpotify(t, clk.Now)
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "t1", Name: "Song", Artists: []string{"Artist"}, Duration: time.Hour})
	fake.SetQuota(fakespotify.Quota{Calls: 1, Block: 50000 * time.Second})
	path := filepath.Join(t.TempDir(), apicalls.FileName)
	calls := func() int { return fake.Count(http.MethodGet, webapi.CurrentlyPlayingPath) }

	// run runs a Poller over the call log file until it emits a State matching done.
	run := func(done func(State) bool, wake bool) State {
		t.Helper()
		log := apicalls.Open(apicalls.Options{Path: path, Now: clk.Now, Warn: func(err error) { t.Error(err) }})
		client.Calls = log
		states := make(chan State, 4)
		p := &Poller{Source: client, Clock: clk, OnChange: func(s State) { states <- s }, Budget: &Budget{Calls: 500, Log: log}}
		ctx, cancel := context.WithCancel(t.Context())
		ended := make(chan struct{})
		go func() { defer close(ended); p.Run(ctx) }()
		defer func() { cancel(); <-ended }()
		for {
			select {
			case s := <-states:
				if done(s) {
					return s
				}
				if wake {
					p.Wake()
				}
			case <-time.After(guard):
				t.Fatal("no such State")
			}
		}
	}
	blocked := func(s State) bool { return !s.QuotaUntil.IsZero() }
	// The first call fills the quota; the second (a Wake) meets the block.
	s := run(blocked, true)
	if want := t0.Add(50000 * time.Second); !s.QuotaUntil.Equal(want) {
		t.Fatalf("blocked until %v, want %v", s.QuotaUntil, want)
	}
	if n := calls(); n != 2 {
		t.Fatalf("%d calls reached the fake, want 2", n)
	}
	for range 3 { // restarts within the block ask nothing
		clk.Advance(time.Hour)
		run(blocked, false)
	}
	if n := calls(); n != 2 {
		t.Fatalf("%d calls reached the fake after three restarts, want still 2", n)
	}
}
