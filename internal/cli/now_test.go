package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

func TestNowWithoutATrayInEveryFormat(t *testing.T) {
	fake := setup(t)
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "4kQm2Tn8XvLpR7cJw1ZbYd", Name: "Paper <Lanterns> & Tide",
		Artists: []string{"Marrow & Finch"}, Album: "Harbour Lights Hum", Duration: time.Hour})
	fake.Player().Play()

	code, out, stderr := run(t, "", "now")
	if code != ExitOK || out != "Marrow & Finch — Paper <Lanterns> & Tide\nhttps://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd\n" {
		t.Fatalf("now: exit %d, %q, %q", code, out, stderr)
	}
	code, out, _ = run(t, "", "now", "--format", "json")
	want := `{"label":"Marrow & Finch — Paper <Lanterns> & Tide","state":"playing","kind":"track","title":"Paper <Lanterns> & Tide",` +
		`"artists":["Marrow & Finch"],"album":"Harbour Lights Hum","url":"https://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd",` +
		`"art_url":"` + fake.URL() + `/_fake/cover/4kQm2Tn8XvLpR7cJw1ZbYd?size=300","duration_ms":3600000}` + "\n"
	if code != ExitOK || out != want {
		t.Fatalf("now --format json: exit %d\n got %s\nwant %s", code, out, want)
	}
	output := filepath.Join(t.TempDir(), "now.txt")
	code, out, _ = run(t, "", "now", "--format", "waybar", "--output", output)
	want = `{"text":"Marrow &amp; Finch — Paper &lt;Lanterns&gt; &amp; Tide",` +
		`"tooltip":"Paper &lt;Lanterns&gt; &amp; Tide\nMarrow &amp; Finch\nHarbour Lights Hum","class":"playing","alt":"playing"}` + "\n"
	if code != ExitOK || out != want {
		t.Fatalf("now --format waybar: exit %d\n got %s\nwant %s", code, out, want)
	}
	if written, err := os.ReadFile(output); err != nil || string(written) != want {
		t.Fatalf("--output wrote %q (%v)", written, err)
	}
}

func TestNowWaitsOutAShortRateLimitAndNamesALongOne(t *testing.T) {
	fake := setup(t)
	login(t, "", "--client-id", fakespotify.DemoApp.ClientID)
	fake.RateLimitNext("/v1/me/player/currently-playing", time.Second, 1)
	if code, out, stderr := run(t, "", "now"); code != ExitOK || !strings.HasPrefix(out, "Marrow & Finch — Paper Lanterns Over Tide\n") {
		t.Fatalf("now after a 1 s rate limit: exit %d, %q, %q", code, out, stderr)
	}
	fake.RateLimitNext("/v1/me/player/currently-playing", 3*time.Hour, 1)
	code, _, stderr := run(t, "", "now")
	if code != ExitOffline || !strings.Contains(stderr, "Spotify asks to wait until ") || !strings.Contains(stderr, "try again then") {
		t.Fatalf("now after a 3 h rate limit: exit %d, %q", code, stderr)
	}
}

func TestNowFormatsEveryKindOfItem(t *testing.T) {
	episode := &webapi.Playing{Kind: webapi.Episode, IsPlaying: false, Title: "Episode 42", Show: "The Tinkerer's Hour"}
	for _, tc := range []struct {
		name   string
		np     nowplaying.State
		waybar string
	}{
		{"nothing", nowplaying.State{Label: "Nothing playing"},
			`{"text":"Nothing playing","tooltip":"Nothing playing","class":"stopped","alt":"stopped"}`},
		{"ad", nowplaying.State{Playing: &webapi.Playing{Kind: webapi.Ad, IsPlaying: true}, Label: "Advertisement"},
			`{"text":"Advertisement","tooltip":"Advertisement","class":"ad","alt":"ad"}`},
		{"paused episode", nowplaying.State{Playing: episode, Label: "Paused: Podcast: The Tinkerer's Hour — Episode 42"},
			`{"text":"Paused: Podcast: The Tinkerer&#39;s Hour — Episode 42","tooltip":"Episode 42\nThe Tinkerer&#39;s Hour","class":"paused","alt":"paused"}`},
		{"error", nowplaying.State{Label: "Now playing unavailable", ErrText: "Spotify did not answer"},
			`{"text":"Now playing unavailable","tooltip":"Now playing unavailable\n⚠ Spotify did not answer","class":"stopped","alt":"stopped"}`},
		{"markup in a title", nowplaying.State{Playing: &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "<b>x</b>",
			Artists: []string{"Simon & Garfunkel"}}, Label: "Simon & Garfunkel — <b>x</b>"},
			`{"text":"Simon &amp; Garfunkel — &lt;b&gt;x&lt;/b&gt;","tooltip":"&lt;b&gt;x&lt;/b&gt;\nSimon &amp; Garfunkel","class":"playing","alt":"playing"}`},
		{"a 1 MB title", nowplaying.State{Playing: &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: strings.Repeat("&", 1<<20),
			Album: "Album"}, Label: strings.Repeat("&", 1<<20)},
			`{"text":"` + strings.Repeat("&amp;", 127) + `…","tooltip":"` + strings.Repeat("&amp;", 255) + `…\nAlbum","class":"playing","alt":"playing"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := formatNow(tc.np, "waybar")
			if err != nil || got != tc.waybar {
				t.Fatalf("waybar\n got %s (%v)\nwant %s", got, err, tc.waybar)
			}
		})
	}
}

func TestNowRefusesAnUnknownFormat(t *testing.T) {
	setup(t)
	if code, _, stderr := run(t, "", "now", "--format", "yaml"); code != ExitUsage || !strings.Contains(stderr, "choose one of text, json, waybar") {
		t.Fatalf("now --format yaml: exit %d, %q", code, stderr)
	}
}
