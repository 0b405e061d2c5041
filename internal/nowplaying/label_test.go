package nowplaying

import (
	"testing"

	"tokentray/internal/webapi"
)

func TestLabel(t *testing.T) {
	tests := []struct {
		name string
		p    *webapi.Playing
		want string
	}{
		{"nil", nil, "Nothing playing"},
		{"nothing", &webapi.Playing{Kind: webapi.Nothing}, "Nothing playing"},
		{"nothing paused", &webapi.Playing{Kind: webapi.Nothing, IsPlaying: false}, "Nothing playing"},
		{"track", &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"A"}}, "A — Song"},
		{"track two artists", &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"A", "B"}}, "A, B — Song"},
		{"track paused", &webapi.Playing{Kind: webapi.Track, Title: "Song", Artists: []string{"A"}}, "Paused: A — Song"},
		{"track without artists", &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Local file"}, "Local file"},
		{"episode", &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, Title: "Ep 1", Show: "Show"}, "Podcast: Show — Ep 1"},
		{"episode paused", &webapi.Playing{Kind: webapi.Episode, Title: "Ep 1", Show: "Show"}, "Paused: Podcast: Show — Ep 1"},
		{"episode without details", &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, Title: webapi.UnknownEpisodeTitle}, "Podcast episode"},
		{"ad", &webapi.Playing{Kind: webapi.Ad, IsPlaying: true}, "Advertisement"},
		{"ad paused", &webapi.Playing{Kind: webapi.Ad}, "Paused: Advertisement"},
		{"unknown", &webapi.Playing{Kind: webapi.Unknown, IsPlaying: true}, "Unknown item"},
		{"unknown with title", &webapi.Playing{Kind: webapi.Unknown, IsPlaying: true, Title: "Audiobook"}, "Audiobook"},
	}
	for _, tc := range tests {
		if got := Label(tc.p); got != tc.want {
			t.Errorf("%s: Label = %q, want %q", tc.name, got, tc.want)
		}
	}
}
