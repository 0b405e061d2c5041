package fakespotify

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// apiError is the Web API's error body: {"error":{"status":..,"message":..}}.
func apiError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"status": status, "message": message}})
}

// bearer authenticates a Web API request. On failure it has answered and
// returns ok == false.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (accessGrant, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="spotify"`)
		apiError(w, http.StatusUnauthorized, "No token provided")
		return accessGrant{}, false
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		apiError(w, http.StatusBadRequest, "Only valid bearer authentication supported")
		return accessGrant{}, false
	}
	s.mu.Lock()
	g, ok := s.access[token]
	s.mu.Unlock()
	message := ""
	switch {
	case !ok:
		message = "Invalid access token"
	case !s.now().Before(g.expires):
		message = "The access token expired"
	default:
		return g, true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="spotify", error="invalid_token", error_description="`+message+`"`)
	apiError(w, http.StatusUnauthorized, message)
	return accessGrant{}, false
}

// userToken authenticates and additionally requires a user token holding at
// least one of anyOf (none given: any user token) that Development Mode's
// rules (SetDevModeRefusal) let through.
func (s *Server) userToken(w http.ResponseWriter, r *http.Request, anyOf ...string) (accessGrant, bool) {
	g, ok := s.bearer(w, r)
	if !ok {
		return g, false
	}
	if g.kind != KindUser || len(anyOf) > 0 && !slices.ContainsFunc(anyOf, g.has) {
		apiError(w, http.StatusForbidden, "Insufficient client scope")
		return g, false
	}
	if s.devModeRefused(w) {
		return g, false
	}
	return g, true
}

func (g accessGrant) has(scope string) bool { return slices.Contains(g.scopes, scope) }

type externalURLs struct {
	Spotify string `json:"spotify"`
}

type image struct {
	URL    string `json:"url"`
	Height int    `json:"height"`
	Width  int    `json:"width"`
}

type userJSON struct {
	ID           string       `json:"id"`
	DisplayName  string       `json:"display_name"`
	Email        string       `json:"email,omitempty"`
	Country      string       `json:"country,omitempty"`
	Product      string       `json:"product,omitempty"`
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	Images       []image      `json:"images"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	if !s.admitCall(w) {
		return
	}
	g, ok := s.userToken(w, r)
	if !ok {
		return
	}
	u := userJSON{
		ID:           g.user.ID,
		DisplayName:  g.user.DisplayName,
		ExternalURLs: externalURLs{"https://open.spotify.com/user/" + g.user.ID},
		Href:         "https://api.spotify.com/v1/users/" + g.user.ID,
		Images:       []image{},
		Type:         "user",
		URI:          "spotify:user:" + g.user.ID,
	}
	if g.has("user-read-email") {
		u.Email = g.user.Email
	}
	if g.has("user-read-private") {
		u.Country, u.Product = g.user.Country, g.user.Product
	}
	writeJSON(w, http.StatusOK, u)
}

type artistJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type albumJSON struct {
	Name   string  `json:"name"`
	Images []image `json:"images"`
	Type   string  `json:"type"`
}

type trackJSON struct {
	Album        albumJSON    `json:"album"`
	Artists      []artistJSON `json:"artists"`
	DurationMs   int64        `json:"duration_ms"`
	Explicit     bool         `json:"explicit"`
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	IsLocal      bool         `json:"is_local"`
	Name         string       `json:"name"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

type showJSON struct {
	Name      string `json:"name"`
	Publisher string `json:"publisher"`
	Type      string `json:"type"`
}

type episodeJSON struct {
	DurationMs   int64        `json:"duration_ms"`
	ExternalURLs externalURLs `json:"external_urls"`
	Href         string       `json:"href"`
	ID           string       `json:"id"`
	Images       []image      `json:"images"`
	Name         string       `json:"name"`
	Show         showJSON     `json:"show"`
	Type         string       `json:"type"`
	URI          string       `json:"uri"`
}

// trackObject renders a track; its album's covers are served by the fake itself, at base, in
// the three sizes Spotify lists (largest first).
func trackObject(it Item, base string) trackJSON {
	artists := make([]artistJSON, len(it.Artists))
	for i, a := range it.Artists {
		artists[i] = artistJSON{Name: a, Type: "artist"}
	}
	var covers []image
	for _, size := range []int{640, 300, 64} {
		covers = append(covers, image{URL: fmt.Sprintf("%s/_fake/cover/%s?size=%d", base, it.ID, size), Height: size, Width: size})
	}
	return trackJSON{
		Album:        albumJSON{Name: it.Album, Images: covers, Type: "album"},
		Artists:      artists,
		DurationMs:   it.Duration.Milliseconds(),
		ExternalURLs: externalURLs{"https://open.spotify.com/track/" + it.ID},
		Href:         "https://api.spotify.com/v1/tracks/" + it.ID,
		ID:           it.ID,
		Name:         it.Name,
		Type:         "track",
		URI:          "spotify:track:" + it.ID,
	}
}

// episodeObject renders an episode; Item.Artists holds the show's publisher.
func episodeObject(it Item) episodeJSON {
	return episodeJSON{
		DurationMs:   it.Duration.Milliseconds(),
		ExternalURLs: externalURLs{"https://open.spotify.com/episode/" + it.ID},
		Href:         "https://api.spotify.com/v1/episodes/" + it.ID,
		ID:           it.ID,
		Images:       []image{},
		Name:         it.Name,
		Show:         showJSON{Name: it.Show, Publisher: strings.Join(it.Artists, ", "), Type: "show"},
		Type:         "episode",
		URI:          "spotify:episode:" + it.ID,
	}
}

type currentlyPlayingJSON struct {
	Timestamp            int64     `json:"timestamp"`
	Context              *struct{} `json:"context"` // always null: the fake plays a bare queue
	ProgressMs           int64     `json:"progress_ms"`
	IsPlaying            bool      `json:"is_playing"`
	CurrentlyPlayingType string    `json:"currently_playing_type"`
	Item                 any       `json:"item"`
}

func (s *Server) handleCurrentlyPlaying(w http.ResponseWriter, r *http.Request) {
	if !s.admitCall(w) {
		return
	}
	if _, ok := s.userToken(w, r, "user-read-currently-playing", "user-read-playback-state"); !ok {
		return
	}
	it, progress, playing, ok := s.player.Current()
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	resp := currentlyPlayingJSON{
		Timestamp:            s.now().UnixMilli(),
		ProgressMs:           progress.Milliseconds(),
		IsPlaying:            playing,
		CurrentlyPlayingType: it.Kind,
	}
	switch it.Kind {
	case "track":
		resp.Item = trackObject(it, "http://"+r.Host)
	case "episode":
		// Without additional_types=episode Spotify reports the type but no item.
		types := strings.Split(r.URL.Query().Get("additional_types"), ",")
		if slices.Contains(types, "episode") {
			resp.Item = episodeObject(it)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleTrack serves tracks the fake knows (the player's queue and the demo
// queue) to any valid token, user or app.
func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) {
	if !s.admitCall(w) {
		return
	}
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	isTrack := func(it Item) bool { return it.Kind == "track" && it.ID == id }
	for _, items := range [][]Item{s.player.Queue(), DemoQueue()} {
		if i := slices.IndexFunc(items, isTrack); i >= 0 {
			writeJSON(w, http.StatusOK, trackObject(items[i], "http://"+r.Host))
			return
		}
	}
	apiError(w, http.StatusNotFound, "Resource not found")
}
