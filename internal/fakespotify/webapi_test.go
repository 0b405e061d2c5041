package fakespotify_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

func TestWebAPIRejects(t *testing.T) {
	const playing = "/v1/me/player/currently-playing"
	tests := []struct {
		name        string
		path        string
		header      func(e *env) http.Header
		wantStatus  int
		wantMessage string
	}{
		{"no Authorization header", playing, func(*env) http.Header { return nil }, 401, "No token provided"},
		{"Basic instead of Bearer", "/v1/me", func(*env) http.Header {
			return http.Header{"Authorization": {"Basic " + testApp.ClientID}}
		}, 400, "Only valid bearer authentication supported"},
		{"empty bearer", "/v1/me", func(*env) http.Header { return http.Header{"Authorization": {"Bearer "}} }, 400, "Only valid bearer authentication supported"},
		{"unknown token", playing, func(*env) http.Header { return bearer("BQnope") }, 401, "Invalid access token"},
		{"expired token", playing, func(e *env) http.Header {
			at := e.userToken("user-read-currently-playing").AccessToken
			e.clock.Advance(time.Hour)
			return bearer(at)
		}, 401, "The access token expired"},
		{"expired token on tracks", "/v1/tracks/x", func(e *env) http.Header {
			at := e.userToken("").AccessToken
			e.clock.Advance(time.Hour + time.Second)
			return bearer(at)
		}, 401, "The access token expired"},
		{"revoked token", "/v1/me", func(e *env) http.Header {
			at := e.userToken("").AccessToken
			e.s.RevokeAll()
			return bearer(at)
		}, 401, "Invalid access token"},
		{"player without a player scope", playing, func(e *env) http.Header {
			return bearer(e.userToken("user-read-email user-modify-playback-state").AccessToken)
		}, 403, "Insufficient client scope"},
		{"unknown track", "/v1/tracks/0000000000000000000000", func(e *env) http.Header {
			return bearer(e.userToken("").AccessToken)
		}, 404, "Resource not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakespotify.Options{})
			resp, body := e.get(tt.path, tt.header(e))
			got := decode[apiErrorJSON](t, body)
			if resp.StatusCode != tt.wantStatus || got.Error.Status != tt.wantStatus || got.Error.Message != tt.wantMessage {
				t.Fatalf("got %d %s, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantMessage)
			}
			if tt.wantStatus == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="spotify"`) {
				t.Fatalf("401 without WWW-Authenticate: %v", resp.Header)
			}
		})
	}
}

type meJSON struct {
	ID           string            `json:"id"`
	DisplayName  string            `json:"display_name"`
	Email        string            `json:"email"`
	Country      string            `json:"country"`
	Product      string            `json:"product"`
	ExternalURLs map[string]string `json:"external_urls"`
	Type         string            `json:"type"`
	URI          string            `json:"uri"`
}

func TestMeFieldsFollowScopes(t *testing.T) {
	u := fakespotify.User{ID: "alice", DisplayName: "Alice <A>", Email: "alice@example.com", Country: "DE", Product: "free"}
	tests := []struct {
		scope string
		want  meJSON
	}{
		{"user-read-currently-playing", meJSON{}},
		{"user-read-email", meJSON{Email: u.Email}},
		{"user-read-private", meJSON{Country: u.Country, Product: u.Product}},
		{"user-read-private user-read-email", meJSON{Email: u.Email, Country: u.Country, Product: u.Product}},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			e := newEnv(t, fakespotify.Options{})
			e.s.SetUser(u)
			at := e.userToken(tt.scope).AccessToken
			e.s.SetUser(fakespotify.User{ID: "bob"}) // tokens keep the user who logged in
			resp, body := e.get("/v1/me", bearer(at))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			tt.want.ID, tt.want.DisplayName, tt.want.Type, tt.want.URI = "alice", u.DisplayName, "user", "spotify:user:alice"
			got := decode[meJSON](t, body)
			if got.ExternalURLs["spotify"] != "https://open.spotify.com/user/alice" {
				t.Errorf("external_urls %v", got.ExternalURLs)
			}
			got.ExternalURLs = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

type playingJSON struct {
	Timestamp            int64  `json:"timestamp"`
	ProgressMs           int64  `json:"progress_ms"`
	IsPlaying            bool   `json:"is_playing"`
	CurrentlyPlayingType string `json:"currently_playing_type"`
	Item                 *struct {
		ID           string            `json:"id"`
		Name         string            `json:"name"`
		Type         string            `json:"type"`
		URI          string            `json:"uri"`
		DurationMs   int64             `json:"duration_ms"`
		ExternalURLs map[string]string `json:"external_urls"`
		Artists      []struct {
			Name string `json:"name"`
		} `json:"artists"`
		Album *struct {
			Name   string `json:"name"`
			Images []any  `json:"images"`
		} `json:"album"`
		Show *struct {
			Name      string `json:"name"`
			Publisher string `json:"publisher"`
		} `json:"show"`
	} `json:"item"`
}

func TestCurrentlyPlaying(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	// user-read-playback-state alone is enough, like on Spotify.
	at := e.userToken("user-read-playback-state").AccessToken
	get := func(query string) (int, playingJSON, []byte) {
		t.Helper()
		resp, body := e.get("/v1/me/player/currently-playing"+query, bearer(at))
		var p playingJSON
		if resp.StatusCode == http.StatusOK {
			p = decode[playingJSON](t, body)
		}
		return resp.StatusCode, p, body
	}

	if status, _, body := get(""); status != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("empty player: %d %q, want 204 and no body", status, body)
	}

	p := e.s.Player()
	p.SetQueue(
		fakespotify.Item{Kind: "track", ID: "trk1", Name: "Song", Artists: []string{"A", "B"}, Album: "Record", Duration: time.Minute},
		fakespotify.Item{Kind: "episode", ID: "ep1", Name: "Episode", Show: "Show", Artists: []string{"Pub"}, Duration: time.Minute},
		fakespotify.Item{Kind: "ad", Name: "Advertisement", Duration: 30 * time.Second},
	)
	e.clock.Advance(10 * time.Second)
	_, got, body := get("")
	it := got.Item
	if got.CurrentlyPlayingType != "track" || !got.IsPlaying || got.ProgressMs != 10000 || got.Timestamp != e.clock.Now().UnixMilli() ||
		it == nil || it.ID != "trk1" || it.Name != "Song" || it.Type != "track" || it.URI != "spotify:track:trk1" || it.DurationMs != 60000 ||
		it.ExternalURLs["spotify"] != "https://open.spotify.com/track/trk1" || len(it.Artists) != 2 || it.Artists[1].Name != "B" ||
		it.Album == nil || it.Album.Name != "Record" || it.Album.Images == nil {
		t.Fatalf("track: %s", body)
	}

	p.Pause()
	e.clock.Advance(time.Minute)
	if _, got, body := get(""); got.IsPlaying || got.ProgressMs != 10000 || got.Item == nil {
		t.Fatalf("paused: %s, want is_playing false at 10000 ms", body)
	}

	p.Next()
	e.clock.Advance(5 * time.Second)
	if _, got, body := get(""); got.CurrentlyPlayingType != "episode" || got.Item != nil || got.ProgressMs != 5000 || !got.IsPlaying {
		t.Fatalf("episode without additional_types: %s, want item null", body)
	}
	_, got, body = get("?additional_types=track,episode")
	if it := got.Item; it == nil || it.Type != "episode" || it.Name != "Episode" || it.Show == nil || it.Show.Name != "Show" ||
		it.Show.Publisher != "Pub" || it.ExternalURLs["spotify"] != "https://open.spotify.com/episode/ep1" || it.URI != "spotify:episode:ep1" {
		t.Fatalf("episode with additional_types: %s", body)
	}

	e.clock.Advance(55 * time.Second) // the episode ends, the ad starts
	if _, got, body := get("?additional_types=episode"); got.CurrentlyPlayingType != "ad" || got.Item != nil || got.ProgressMs != 0 {
		t.Fatalf("ad: %s, want item null at 0 ms", body)
	}

	p.Stop()
	if status, _, _ := get(""); status != http.StatusNoContent {
		t.Fatalf("stopped: %d, want 204", status)
	}
}

func TestTrackFromQueue(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	e.s.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "queued", Name: "Queued Song", Duration: time.Second})
	resp, body := e.get("/v1/tracks/queued", bearer(e.userToken("").AccessToken))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"Queued Song"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
