// Package nowplaying polls what the user's Spotify plays, as often as a tray label needs and no
// more, and turns it into that label.
package nowplaying

import (
	"strings"

	"tokentray/internal/webapi"
)

const (
	nothingLabel     = "Nothing playing"
	adLabel          = "Advertisement"
	unknownLabel     = "Unknown item"
	loggedOutLabel   = "Not logged in"
	unavailableLabel = "Now playing unavailable"
)

// Label is the one-line text for p: "Artist, Artist2 — Title", "Podcast: Show — Episode",
// "Advertisement" or "Nothing playing", prefixed with "Paused: " when paused.
func Label(p *webapi.Playing) string {
	if p == nil || p.Kind == webapi.Nothing {
		return nothingLabel
	}
	label := describe(p)
	if !p.IsPlaying {
		label = "Paused: " + label
	}
	return label
}

func describe(p *webapi.Playing) string {
	switch p.Kind {
	case webapi.Track:
		if len(p.Artists) == 0 {
			return p.Title
		}
		return strings.Join(p.Artists, ", ") + " — " + p.Title
	case webapi.Episode:
		// Without a show name (Spotify sent no item) "Podcast: " would only repeat the title.
		if p.Show == "" {
			return p.Title
		}
		return "Podcast: " + p.Show + " — " + p.Title
	case webapi.Ad:
		return adLabel
	default:
		if p.Title == "" {
			return unknownLabel
		}
		return p.Title
	}
}
