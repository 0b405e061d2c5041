package webapi

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// Kind says what sort of thing is playing.
type Kind int

const (
	Nothing Kind = iota // no active device, or a device with nothing loaded
	Track
	Episode
	Ad
	Unknown // a currently_playing_type this client does not know
)

func (k Kind) String() string {
	switch k {
	case Nothing:
		return "nothing"
	case Track:
		return "track"
	case Episode:
		return "episode"
	case Ad:
		return "ad"
	default:
		return "unknown"
	}
}

// UnknownEpisodeTitle names an episode Spotify reports without details (item null or no name).
const UnknownEpisodeTitle = "Podcast episode"

// Playing is the answer to "what is playing".
type Playing struct {
	Kind      Kind
	IsPlaying bool // false when paused
	ID        string
	Title     string
	Artists   []string // tracks only
	Album     string   // tracks only
	Show      string   // episodes only
	URL       string   // open.spotify.com link
	ArtURL    string   // cover art; set by sources that report it (MPRIS), else ""
	Duration  time.Duration
	Progress  time.Duration
	Timestamp time.Time // Spotify's "timestamp"; zero when absent
}

type wirePlaying struct {
	Timestamp  int64     `json:"timestamp"`
	ProgressMS int64     `json:"progress_ms"`
	IsPlaying  bool      `json:"is_playing"`
	Type       string    `json:"currently_playing_type"`
	Item       *wireItem `json:"item"`
}

// wireItem is the union of the track and episode objects, reduced to what tokentray shows.
type wireItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	DurationMS int64  `json:"duration_ms"`
	Artists    []struct {
		Name string `json:"name"`
	} `json:"artists"`
	Album struct {
		Name   string      `json:"name"`
		Images []wireImage `json:"images"`
	} `json:"album"`
	Images []wireImage `json:"images"` // an episode's own
	Show   struct {
		Name string `json:"name"`
	} `json:"show"`
	ExternalURLs struct {
		Spotify string `json:"spotify"`
	} `json:"external_urls"`
}

type wireImage struct {
	URL   string `json:"url"`
	Width int    `json:"width"`
}

// coverWidth is the cover size tokentray shows at most; Spotify lists 640, 300 and 64 px.
const coverWidth = 300

// coverURL picks the smallest cover at least coverWidth wide, else the largest.
func coverURL(images []wireImage) string {
	best := wireImage{}
	for _, im := range images {
		fits, bestFits := im.Width >= coverWidth, best.Width >= coverWidth
		if best.URL == "" || (fits && (!bestFits || im.Width < best.Width)) || (!fits && !bestFits && im.Width > best.Width) {
			best = im
		}
	}
	return best.URL
}

// parseCurrentlyPlaying decodes a 200 body of GET /v1/me/player/currently-playing.
func parseCurrentlyPlaying(body []byte) (*Playing, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Playing{Kind: Nothing}, nil
	}
	var wire wirePlaying
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, err
	}
	p := &Playing{IsPlaying: wire.IsPlaying, Progress: milliseconds(wire.ProgressMS)}
	if wire.Timestamp > 0 {
		p.Timestamp = time.UnixMilli(wire.Timestamp)
	}
	if item := wire.Item; item != nil {
		p.ID, p.Title, p.URL = item.ID, item.Name, item.ExternalURLs.Spotify
		p.Duration = milliseconds(item.DurationMS)
	}
	switch wire.Type {
	case "ad":
		p.Kind = Ad
	case "episode":
		p.Kind = Episode
		if wire.Item != nil {
			p.Show = wire.Item.Show.Name
			p.ArtURL = coverURL(wire.Item.Images)
		}
		if p.Title == "" {
			p.Title = UnknownEpisodeTitle
		}
	case "track":
		if wire.Item == nil {
			return &Playing{Kind: Nothing, IsPlaying: wire.IsPlaying, Timestamp: p.Timestamp}, nil
		}
		p.Kind = Track
		p.Album = wire.Item.Album.Name
		p.ArtURL = coverURL(wire.Item.Album.Images)
		for _, a := range wire.Item.Artists {
			p.Artists = append(p.Artists, a.Name)
		}
	default:
		p.Kind = Unknown
	}
	return p, nil
}

// milliseconds converts a JSON millisecond count, clamping values no real track has (negative,
// or so large that time.Duration would overflow) instead of producing nonsense durations.
func milliseconds(ms int64) time.Duration {
	const maxMS = math.MaxInt64 / int64(time.Millisecond)
	return time.Duration(min(max(ms, 0), maxMS)) * time.Millisecond
}
