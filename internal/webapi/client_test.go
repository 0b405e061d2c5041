package webapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// fakeTokens hands out "token-1", then "token-2" after each ForceRefresh, so the server can tell
// whether a request carried the refreshed token.
type fakeTokens struct {
	refreshes  atomic.Int32
	rejected   atomic.Value // the token the last ForceRefresh was told Spotify refused
	tokenErr   error
	refreshErr error
}

func (f *fakeTokens) Token(context.Context) (*oauth2.Token, error) {
	if f.tokenErr != nil {
		return nil, f.tokenErr
	}
	return &oauth2.Token{AccessToken: f.current()}, nil
}

func (f *fakeTokens) ForceRefresh(_ context.Context, rejected string) (*oauth2.Token, error) {
	f.rejected.Store(rejected)
	if f.refreshErr != nil {
		return nil, f.refreshErr
	}
	f.refreshes.Add(1)
	return &oauth2.Token{AccessToken: f.current()}, nil
}

func (f *fakeTokens) current() string {
	return "token-" + string(rune('1'+f.refreshes.Load()))
}

// serve starts a loopback server answering every request with handler and records how many
// requests reached it.
func serve(t *testing.T, handler http.HandlerFunc) (*Client, *fakeTokens, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	tokens := &fakeTokens{}
	return &Client{BaseURL: srv.URL, HTTP: srv.Client(), Tokens: tokens}, tokens, &requests
}

// currentlyPlaying serves body (or status with no body when body is "") on the currently-playing
// path and fails the test if the request is not the one the contract describes.
func currentlyPlaying(t *testing.T, status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/me/player/currently-playing" || r.URL.Query().Get("additional_types") != "episode" {
			t.Errorf("request %s, want /v1/me/player/currently-playing?additional_types=episode", r.URL)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer token-1" {
			t.Errorf("Authorization %q, want %q", got, "Bearer token-1")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

const trackBody = `{
  "timestamp": 1767225600123,
  "progress_ms": 61000,
  "is_playing": true,
  "currently_playing_type": "track",
  "context": null,
  "item": {
    "type": "track", "id": "4uLU6hMCjMI75M1A2tKUQC", "name": "Never Gonna Give You Up",
    "duration_ms": 213573,
    "artists": [{"name": "Rick Astley"}, {"name": "Guest"}],
    "album": {"name": "Whenever You Need Somebody"},
    "external_urls": {"spotify": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"}
  }
}`

const episodeBody = `{
  "timestamp": 1767225600000,
  "progress_ms": 5000,
  "is_playing": false,
  "currently_playing_type": "episode",
  "item": {
    "type": "episode", "id": "512ojhOuo1ktJprKbVcKyQ", "name": "Episode 12: Tokens",
    "duration_ms": 3600000,
    "show": {"name": "The Auth Show"},
    "external_urls": {"spotify": "https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ"}
  }
}`

func TestCurrentlyPlaying(t *testing.T) {
	stamp := time.UnixMilli(1767225600123)
	tests := []struct {
		name   string
		status int
		body   string
		want   Playing
	}{
		{"204 no content", http.StatusNoContent, "", Playing{Kind: Nothing}},
		{"200 empty body", http.StatusOK, "", Playing{Kind: Nothing}},
		{"track", http.StatusOK, trackBody, Playing{
			Kind: Track, IsPlaying: true, ID: "4uLU6hMCjMI75M1A2tKUQC", Title: "Never Gonna Give You Up",
			Artists: []string{"Rick Astley", "Guest"}, Album: "Whenever You Need Somebody",
			URL:      "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
			Duration: 213573 * time.Millisecond, Progress: 61 * time.Second, Timestamp: stamp,
		}},
		{"track with item null", http.StatusOK,
			`{"timestamp":1767225600123,"is_playing":false,"currently_playing_type":"track","item":null}`,
			Playing{Kind: Nothing, Timestamp: stamp}},
		{"episode", http.StatusOK, episodeBody, Playing{
			Kind: Episode, ID: "512ojhOuo1ktJprKbVcKyQ", Title: "Episode 12: Tokens", Show: "The Auth Show",
			URL:      "https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ",
			Duration: time.Hour, Progress: 5 * time.Second, Timestamp: time.UnixMilli(1767225600000),
		}},
		{"episode with item null", http.StatusOK,
			`{"timestamp":1767225600123,"progress_ms":7000,"is_playing":true,"currently_playing_type":"episode","item":null}`,
			Playing{Kind: Episode, IsPlaying: true, Title: "Podcast episode", Progress: 7 * time.Second, Timestamp: stamp}},
		{"ad", http.StatusOK,
			`{"timestamp":1767225600123,"progress_ms":2000,"is_playing":true,"currently_playing_type":"ad","item":null}`,
			Playing{Kind: Ad, IsPlaying: true, Progress: 2 * time.Second, Timestamp: stamp}},
		{"unknown type", http.StatusOK,
			`{"timestamp":1767225600123,"is_playing":true,"currently_playing_type":"unknown","item":null}`,
			Playing{Kind: Unknown, IsPlaying: true, Timestamp: stamp}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, _, _ := serve(t, currentlyPlaying(t, tc.status, tc.body))
			got, err := client.CurrentlyPlaying(t.Context())
			if err != nil {
				t.Fatalf("CurrentlyPlaying: %v", err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestCurrentlyPlayingMalformedBody(t *testing.T) {
	client, _, _ := serve(t, currentlyPlaying(t, http.StatusOK, `{"is_playing": "yes"`))
	_, err := client.CurrentlyPlaying(t.Context())
	if err == nil || !strings.Contains(err.Error(), "unreadable currently-playing response") {
		t.Fatalf("err = %v, want an unreadable-response error", err)
	}
}

func TestUnauthorizedRefreshesAndRetriesOnce(t *testing.T) {
	client, tokens, requests := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-2" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"status":401,"message":"The access token expired"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"wizzler","display_name":"Wizzler","email":"w@example.com","country":"SE","product":"premium"}`))
	})
	user, err := client.Me(t.Context())
	if err != nil {
		t.Fatalf("Me: %v", err)
	}
	want := User{ID: "wizzler", DisplayName: "Wizzler"}
	if *user != want {
		t.Errorf("user %+v, want %+v", *user, want)
	}
	if n := tokens.refreshes.Load(); n != 1 {
		t.Errorf("ForceRefresh called %d times, want 1", n)
	}
	if r := tokens.rejected.Load(); r != "token-1" {
		t.Errorf("ForceRefresh told %v was rejected, want the token sent: token-1", r)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestUnauthorizedTwiceGivesUp(t *testing.T) {
	client, tokens, requests := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"status":401,"message":"Invalid access token"}}`))
	})
	_, err := client.Me(t.Context())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized || apiErr.Message != "Invalid access token" {
		t.Fatalf("err = %#v, want *Error 401 \"Invalid access token\"", err)
	}
	if n := tokens.refreshes.Load(); n != 1 {
		t.Errorf("ForceRefresh called %d times, want exactly 1", n)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want exactly 2", n)
	}
}

var errNeedsLogin = errors.New("no or invalid refresh token: run tokentray login")

func TestTokenErrorsAreWrapped(t *testing.T) {
	t.Run("Token", func(t *testing.T) {
		client, tokens, requests := serve(t, func(http.ResponseWriter, *http.Request) {})
		tokens.tokenErr = errNeedsLogin
		_, err := client.CurrentlyPlaying(t.Context())
		if !errors.Is(err, errNeedsLogin) {
			t.Fatalf("err = %v, want it to wrap errNeedsLogin", err)
		}
		if n := requests.Load(); n != 0 {
			t.Errorf("%d requests without a token, want 0", n)
		}
	})
	t.Run("ForceRefresh", func(t *testing.T) {
		client, tokens, requests := serve(t, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		})
		tokens.refreshErr = errNeedsLogin
		_, err := client.Me(t.Context())
		if !errors.Is(err, errNeedsLogin) {
			t.Fatalf("err = %v, want it to wrap errNeedsLogin", err)
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("%d requests, want 1 (no retry without a fresh token)", n)
		}
	})
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		body       string
		want       Error
	}{
		{"JSON error body", http.StatusBadGateway, "", `{"error":{"status":502,"message":"Bad gateway."}}`,
			Error{Status: 502, Message: "Bad gateway."}},
		{"HTML error body", http.StatusServiceUnavailable, "", `<html>down</html>`,
			Error{Status: 503, Message: "Service Unavailable", RetryAfter: time.Second}},
		{"rate limited", http.StatusTooManyRequests, "7", `{"error":{"status":429,"message":"API rate limit exceeded"}}`,
			Error{Status: 429, Message: "API rate limit exceeded", RetryAfter: 7 * time.Second}},
		{"quota exceeded", http.StatusTooManyRequests, "52531",
			`{"error":{"status":429,"message":"API rate limit exceeded","reason":"QUOTA_EXCEEDED"}}`,
			Error{Status: 429, Message: "API rate limit exceeded", Reason: "QUOTA_EXCEEDED", RetryAfter: 52531 * time.Second}},
		// The test server's Date is set to 12:00:00, so the date means two minutes.
		{"Retry-After as an HTTP-date", http.StatusTooManyRequests, "Sat, 28 Nov 2026 12:02:00 GMT", "",
			Error{Status: 429, Message: "Too Many Requests", RetryAfter: 2 * time.Minute}},
		{"429 without Retry-After: the documented default", http.StatusTooManyRequests, "", "",
			Error{Status: 429, Message: "Too Many Requests", RetryAfter: time.Second}},
		{"Retry-After on a status that does not use it", http.StatusBadGateway, "30", "",
			Error{Status: 502, Message: "Bad Gateway"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, _, _ := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Date", "Sat, 28 Nov 2026 12:00:00 GMT")
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := client.Me(t.Context())
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if *apiErr != tc.want {
				t.Errorf("got %+v, want %+v", *apiErr, tc.want)
			}
		})
	}
}

func TestRateLimitMessageSaysWhenToRetry(t *testing.T) {
	err := &Error{Status: 429, Message: "API rate limit exceeded", RetryAfter: 7 * time.Second}
	if want := "Spotify Web API: API rate limit exceeded (HTTP 429); try again in 7s"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestForbiddenCurrentlyPlayingNamesTheScope(t *testing.T) {
	client, _, _ := serve(t, currentlyPlaying(t, http.StatusForbidden, `{"error":{"status":403,"message":"Insufficient client scope"}}`))
	_, err := client.CurrentlyPlaying(t.Context())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
		t.Fatalf("err = %v, want *Error 403", err)
	}
	for _, want := range []string{"Insufficient client scope", "user-read-currently-playing", "log in again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // a loopback port nothing listens on any more
	client := &Client{BaseURL: srv.URL, Tokens: &fakeTokens{}}
	_, err := client.Me(t.Context())
	if err == nil || !strings.Contains(err.Error(), "reach the Spotify Web API") {
		t.Fatalf("err = %v, want a connection error", err)
	}
}

func TestCoverURLPicksTheSmallestThatIsLargeEnough(t *testing.T) {
	for _, tc := range []struct {
		images []wireImage
		want   string
	}{
		{[]wireImage{{"big", 640}, {"mid", 300}, {"small", 64}}, "mid"},
		{[]wireImage{{"small", 64}, {"big", 640}}, "big"},
		{[]wireImage{{"tiny", 32}, {"small", 64}}, "small"},
		{nil, ""},
	} {
		if got := coverURL(tc.images); got != tc.want {
			t.Errorf("coverURL(%v) = %q, want %q", tc.images, got, tc.want)
		}
	}
}
