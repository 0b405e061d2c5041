package mpris

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/mpris/mpristest"

	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

// guard bounds each wait for a signal, so a broken watcher fails instead of hanging.
const guard = 5 * time.Second

const spotify = "org.mpris.MediaPlayer2.spotify"

func expect(t *testing.T, snaps chan Snapshot, want Snapshot, wantLabel string) {
	t.Helper()
	select {
	case got := <-snaps:
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("snapshot\n got %+v %+v\nwant %+v %+v", got, got.Playing, want, want.Playing)
		}
		if wantLabel != "" {
			if label := nowplaying.Label(got.Playing); label != wantLabel {
				t.Fatalf("label %q, want %q", label, wantLabel)
			}
		}
	case <-time.After(guard):
		t.Fatalf("no snapshot; want %+v", want)
	}
}

func v(x any) dbus.Variant { return dbus.MakeVariant(x) }

func TestWatchFollowsSpotifysQuirks(t *testing.T) {
	addr := mpristest.PrivateBus(t)
	w, snaps := watch(t, addr, nil)
	expect(t, snaps, Snapshot{}, "")
	if err := w.Next(t.Context()); !errors.Is(err, ErrNoPlayer) {
		t.Fatalf("Next without a player: %v, want ErrNoPlayer", err)
	}

	// The player appears playing a track: trackid as an object path, length as uint64.
	p := mpristest.StartPlayer(t, addr, spotify, "Playing", map[string]dbus.Variant{
		"mpris:trackid":     v(dbus.ObjectPath("/com/spotify/track/4uLU6hMCjMI75M1A2tKUQC")),
		"mpris:length":      v(uint64(213573000)),
		"mpris:artUrl":      v("https://open.spotify.com/image/ab67616d0000b273abc"),
		"xesam:title":       v("Never Gonna Give You Up"),
		"xesam:artist":      v([]string{"Rick Astley", "Guest"}),
		"xesam:album":       v("Whenever You Need Somebody"),
		"xesam:albumArtist": v([]string{"Rick Astley"}),
		"xesam:trackNumber": v(int32(1)),
		"xesam:url":         v("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"),
	})
	first := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "4uLU6hMCjMI75M1A2tKUQC", Title: "Never Gonna Give You Up",
		Artists: []string{"Rick Astley", "Guest"}, Album: "Whenever You Need Somebody",
		URL: "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", ArtURL: "https://i.scdn.co/image/ab67616d0000b273abc",
		Duration: 213573 * time.Millisecond}
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: first}, "Rick Astley, Guest — Never Gonna Give You Up")

	// An older client: trackid as a spotify: URI string, length as int64, no art.
	p.Set("", map[string]dbus.Variant{
		"mpris:trackid": v("spotify:track:7GhIk7Il098yCjg4BQjzvb"),
		"mpris:length":  v(int64(180000000)),
		"xesam:title":   v("Take On Me"),
		"xesam:artist":  v([]string{"a-ha"}),
		"xesam:album":   v("Hunting High and Low"),
	})
	second := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "7GhIk7Il098yCjg4BQjzvb", Title: "Take On Me",
		Artists: []string{"a-ha"}, Album: "Hunting High and Low", URL: "https://open.spotify.com/track/7GhIk7Il098yCjg4BQjzvb",
		Duration: 3 * time.Minute}
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: second}, "a-ha — Take On Me")

	p.Set("Paused", nil)
	paused := *second
	paused.IsPlaying = false
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: &paused}, "Paused: a-ha — Take On Me")

	// An ad: its own trackid kind, empty album, track number 0.
	p.Set("Playing", map[string]dbus.Variant{
		"mpris:trackid":     v(dbus.ObjectPath("/com/spotify/ad/8a2c3b4d")),
		"mpris:length":      v(uint64(30000000)),
		"xesam:title":       v("Spotify"),
		"xesam:artist":      v([]string{""}),
		"xesam:album":       v(""),
		"xesam:trackNumber": v(int32(0)),
	})
	ad := &webapi.Playing{Kind: webapi.Ad, IsPlaying: true, ID: "8a2c3b4d", Title: "Spotify", Duration: 30 * time.Second}
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: ad}, "Advertisement")

	// An episode: empty artist, the show's name in the album.
	p.Set("", map[string]dbus.Variant{
		"mpris:trackid": v(dbus.ObjectPath("/com/spotify/episode/512ojhOuo1ktJprKbVcKyQ")),
		"mpris:length":  v(int64(3600000000)),
		"xesam:title":   v("Episode 12: Tokens"),
		"xesam:artist":  v([]string{""}),
		"xesam:album":   v("The Auth Show"),
	})
	episode := &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, ID: "512ojhOuo1ktJprKbVcKyQ", Title: "Episode 12: Tokens",
		Show: "The Auth Show", URL: "https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ", Duration: time.Hour}
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: episode}, "Podcast: The Auth Show — Episode 12: Tokens")

	// The controls reach the player.
	for _, c := range []struct {
		name string
		call func() error
	}{{"PlayPause", func() error { return w.PlayPause(t.Context()) }},
		{"Next", func() error { return w.Next(t.Context()) }},
		{"Previous", func() error { return w.Previous(t.Context()) }}} {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		select {
		case got := <-p.Calls:
			if got != c.name {
				t.Fatalf("the player received %s, want %s", got, c.name)
			}
		case <-time.After(guard):
			t.Fatalf("%s did not reach the player", c.name)
		}
	}

	// Stopped with empty metadata: present but not active, so the Web API takes over.
	p.Set("Stopped", map[string]dbus.Variant{})
	expect(t, snaps, Snapshot{Player: spotify}, "")

	p.Vanish()
	expect(t, snaps, Snapshot{}, "")
	if err := w.PlayPause(t.Context()); !errors.Is(err, ErrNoPlayer) {
		t.Fatalf("PlayPause after the player left: %v, want ErrNoPlayer", err)
	}
}

func TestWatchPrefersAnActiveSpotifyPlayer(t *testing.T) {
	addr := mpristest.PrivateBus(t)
	mpristest.StartPlayer(t, addr, "org.mpris.MediaPlayer2.vlc", "Playing", map[string]dbus.Variant{"xesam:title": v("Not Spotify")})
	official := mpristest.StartPlayer(t, addr, spotify, "Stopped", map[string]dbus.Variant{})
	// spotifyd adds an instance suffix to its bus name.
	daemon := mpristest.StartPlayer(t, addr, "org.mpris.MediaPlayer2.spotifyd.instance4242", "Playing", map[string]dbus.Variant{
		"mpris:trackid": v("/spotify/track/0QaH4sJy6DfXn2WbRt8MzC"), "xesam:title": v("Afterglow Protocol"),
		"xesam:artist": v([]string{"Neon Thimble"}), "mpris:length": v(int64(66000000)),
	})
	w, snaps := watch(t, addr, nil)
	fromDaemon := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "0QaH4sJy6DfXn2WbRt8MzC", Title: "Afterglow Protocol",
		Artists: []string{"Neon Thimble"}, URL: "https://open.spotify.com/track/0QaH4sJy6DfXn2WbRt8MzC", Duration: 66 * time.Second}
	expect(t, snaps, Snapshot{Player: "org.mpris.MediaPlayer2.spotifyd.instance4242", Active: true, Playing: fromDaemon}, "")
	if err := w.Next(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := <-daemon.Calls; got != "Next" {
		t.Fatalf("spotifyd received %s, want Next", got)
	}

	// Both active: the official client comes first in DefaultPlayers.
	official.Set("Paused", map[string]dbus.Variant{"mpris:trackid": v(dbus.ObjectPath("/com/spotify/track/t1")), "xesam:title": v("Song")})
	expect(t, snaps, Snapshot{Player: spotify, Active: true, Playing: &webapi.Playing{Kind: webapi.Track, ID: "t1", Title: "Song",
		URL: "https://open.spotify.com/track/t1"}}, "Paused: Song")

	official.Vanish()
	expect(t, snaps, Snapshot{Player: "org.mpris.MediaPlayer2.spotifyd.instance4242", Active: true, Playing: fromDaemon}, "")
}

func TestToPlayingEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		status string
		md     map[string]dbus.Variant
		want   *webapi.Playing
	}{
		{"stopped", "Stopped", map[string]dbus.Variant{"xesam:title": v("Song")}, nil},
		{"no metadata", "Playing", nil, nil},
		{"NoTrack placeholder", "Playing", map[string]dbus.Variant{"mpris:trackid": v(dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/NoTrack"))}, nil},
		{"not a Spotify id but a title", "Playing", map[string]dbus.Variant{"mpris:trackid": v(dbus.ObjectPath("/local/file/1")), "xesam:title": v("Demo")},
			&webapi.Playing{Kind: webapi.Unknown, IsPlaying: true, Title: "Demo"}},
		{"negative length", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"), "mpris:length": v(int64(-5))},
			&webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "x", URL: "https://open.spotify.com/track/x"}},
		{"huge uint64 length is clamped", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"), "mpris:length": v(^uint64(0))},
			&webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "x", URL: "https://open.spotify.com/track/x", Duration: 9223372036854775000}},
		{"int32 length and a single artist string", "Paused", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"),
			"mpris:length": v(int32(2000000)), "xesam:artist": v("Solo")},
			&webapi.Playing{Kind: webapi.Track, ID: "x", Artists: []string{"Solo"}, URL: "https://open.spotify.com/track/x", Duration: 2 * time.Second}},
		{"episode without a title", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:episode:e")},
			&webapi.Playing{Kind: webapi.Episode, IsPlaying: true, ID: "e", Title: "Podcast episode", URL: "https://open.spotify.com/episode/e"}},
		// Any program can take a player's name: its text is cleaned and cut.
		{"bidi override, line break and bell in the text", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"),
			"xesam:title": v("\u202eevil\u202c\nline\a"), "xesam:artist": v([]string{"\u2066Simon & Garfunkel_x\u2069"}), "xesam:album": v("\x1b[2JAlbum")},
			&webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "x", Title: "evil line", Artists: []string{"Simon & Garfunkel_x"},
				Album: "[2JAlbum", URL: "https://open.spotify.com/track/x"}},
		{"a 1 MB title is cut to 512 runes", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"), "xesam:title": v(strings.Repeat("x", 1<<20))},
			&webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "x", Title: strings.Repeat("x", 511) + "…", URL: "https://open.spotify.com/track/x"}},
		{"an id that would change the link is no id", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x?utm=1"), "xesam:title": v("T")},
			&webapi.Playing{Kind: webapi.Unknown, IsPlaying: true, Title: "T"}},
		{"at most 16 artists", "Playing", map[string]dbus.Variant{"mpris:trackid": v("spotify:track:x"), "xesam:artist": v(strings.Split("a b c d e f g h i j k l m n o p q r", " "))},
			&webapi.Playing{Kind: webapi.Track, IsPlaying: true, ID: "x", Artists: strings.Split("a b c d e f g h i j k l m n o p", " "), URL: "https://open.spotify.com/track/x"}},
	}
	for _, tc := range tests {
		if got := toPlaying(tc.status, tc.md); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
