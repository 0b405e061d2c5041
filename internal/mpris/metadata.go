package mpris

import (
	"math"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/untrusted"
	"tokentray/internal/webapi"
)

// Playback statuses of org.mpris.MediaPlayer2.Player.PlaybackStatus.
const (
	statusPlaying = "Playing"
	statusPaused  = "Paused"
)

// toPlaying converts a player's PlaybackStatus and Metadata into the Web API's Playing, so the
// tray labels both sources alike. It returns nil when the player reports nothing to show:
// Stopped, or metadata without a track id or title (music may then play on another device).
//
// Spotify's clients differ in what they send; these quirks are handled:
//   - mpris:trackid is an object path /com/spotify/track/<id> (ncspot: /org/ncspot/spotify/track/<id>)
//     or, from older clients, the string spotify:track:<id>; ads are …/ad/<id>, episodes …/episode/<id>;
//   - ads have an empty album and track number 0, episodes often an empty artist ([""] or []);
//   - mpris:length is in microseconds, as uint64 or int64 (or a smaller integer);
//   - mpris:artUrl https://open.spotify.com/image/<id> answers 404; the image is at i.scdn.co.
//
// Any program on the session bus can take a player's name, so its text is untrusted: titles,
// artists and albums are cleaned and cut to maxText runes (untrusted.Line), and an id that is
// not letters and digits is no id.
// Position is not read: older clients always report 0, so Progress stays zero.
func toPlaying(status string, md map[string]dbus.Variant) *webapi.Playing {
	if status != statusPlaying && status != statusPaused {
		return nil
	}
	kind, id := parseTrackID(md["mpris:trackid"].Value())
	title := untrusted.Line(stringValue(md["xesam:title"]), maxText)
	if id == "" && title == "" {
		return nil
	}
	p := &webapi.Playing{
		Kind:      kind,
		IsPlaying: status == statusPlaying,
		ID:        id,
		Title:     title,
		Duration:  microseconds(md["mpris:length"].Value()),
		ArtURL:    artURL(stringValue(md["mpris:artUrl"])),
	}
	album := untrusted.Line(stringValue(md["xesam:album"]), maxText)
	switch kind {
	case webapi.Track:
		p.Album = album
		for _, a := range stringsValue(md["xesam:artist"]) {
			if len(p.Artists) == maxArtists {
				break
			}
			if a = untrusted.Line(a, maxText); a != "" {
				p.Artists = append(p.Artists, a)
			}
		}
	case webapi.Episode:
		p.Show = album // Spotify puts the show's name in xesam:album
		if p.Title == "" {
			p.Title = webapi.UnknownEpisodeTitle
		}
	}
	if kind == webapi.Track || kind == webapi.Episode {
		p.URL = "https://open.spotify.com/" + kind.String() + "/" + id
	}
	return p
}

// maxText bounds each title, artist and album a player sends: far above any real one (Spotify
// cuts titles near 200 characters), far below what would stretch a tooltip or a notification.
// maxArtists bounds the list of artists likewise.
const (
	maxText    = 512
	maxArtists = 16
)

// maxID bounds a Spotify id: base62, 22 characters today.
const maxID = 64

// parseTrackID reads the kind and Spotify id from mpris:trackid in any of its forms. A track id
// that is not Spotify's gives Unknown and no id.
func parseTrackID(v any) (webapi.Kind, string) {
	var s string
	switch v := v.(type) {
	case dbus.ObjectPath:
		s = string(v)
	case string:
		s = v
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ':' })
	if len(parts) < 2 || parts[len(parts)-1] == "" {
		return webapi.Unknown, ""
	}
	id := parts[len(parts)-1]
	if !isID(id) {
		return webapi.Unknown, ""
	}
	switch parts[len(parts)-2] {
	case "track":
		return webapi.Track, id
	case "episode":
		return webapi.Episode, id
	case "ad":
		return webapi.Ad, id
	}
	return webapi.Unknown, ""
}

// isID reports whether id can be a Spotify id: it goes into the item's open.spotify.com link.
func isID(id string) bool {
	if len(id) > maxID {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// microseconds reads mpris:length, which players send as any integer type; a negative or
// missing length is 0 (unknown).
func microseconds(v any) time.Duration {
	const maxUS = math.MaxInt64 / int64(time.Microsecond) // beyond this a Duration overflows
	var us int64
	switch v := v.(type) {
	case int64:
		us = v
	case uint64:
		us = int64(min(v, uint64(maxUS)))
	case int32:
		us = int64(v)
	case uint32:
		us = int64(v)
	}
	return time.Duration(min(max(us, 0), maxUS)) * time.Microsecond
}

// artURL moves Spotify's cover art from the address its client reports, which answers 404,
// to the one that serves the image.
func artURL(u string) string {
	if id, ok := strings.CutPrefix(u, "https://open.spotify.com/image/"); ok {
		return "https://i.scdn.co/image/" + id
	}
	return u
}

func stringValue(v dbus.Variant) string {
	s, _ := v.Value().(string)
	return s
}

func stringsValue(v dbus.Variant) []string {
	switch v := v.Value().(type) {
	case []string:
		return v
	case string: // some players send a single artist as a plain string
		return []string{v}
	}
	return nil
}
