package webapi

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

// againstFake returns a Client logged in to a fake Spotify on a loopback port.
func againstFake(t *testing.T) (*Client, *fakespotify.Server) {
	t.Helper()
	fake, base, at, err := fakespotify.StartLoggedIn(t.Context(), fakespotify.Options{}, fakespotify.DemoApp, "user-read-currently-playing")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	return &Client{BaseURL: base, Tokens: FixedToken(at)}, fake
}

func TestDevModeRefusalsExplainTheFix(t *testing.T) {
	tests := []struct {
		refusal    fakespotify.DevModeRefusal
		wantReason DevModeReason
		want       string
	}{
		{fakespotify.DevModeUnregisteredUser, UserNotRegistered,
			"Spotify refused this account: the app is in Development Mode and the account is not on its user list " +
				"(Spotify Web API: Check settings on developer.spotify.com/dashboard, the user may not be registered. (HTTP 403)). " +
				"Add the account's name and e-mail under User Management in the app's dashboard at developer.spotify.com/dashboard " +
				"(at most 5 users), and check that the app owner has Premium; then try again"},
		{fakespotify.DevModeOwnerNotPremium, OwnerNotPremium,
			"Spotify refused the app: in Development Mode the account that owns the app needs an active Premium subscription " +
				"(Spotify Web API: Active premium subscription required for the owner of the app. (HTTP 403)). " +
				"Check that the app owner's account at developer.spotify.com/dashboard has Premium, then try again"},
	}
	for _, tc := range tests {
		client, fake := againstFake(t)
		fake.SetDevModeRefusal(tc.refusal)
		_, meErr := client.Me(t.Context())
		_, playingErr := client.CurrentlyPlaying(t.Context())
		for name, err := range map[string]error{"Me": meErr, "CurrentlyPlaying": playingErr} {
			dm, ok := errors.AsType[*DevModeError](err)
			if !ok || dm.Reason != tc.wantReason {
				t.Fatalf("%s: err = %v, want a DevModeError with reason %d", name, err, tc.wantReason)
			}
			if err.Error() != tc.want {
				t.Errorf("%s: message\\n%s\\nwant\\n%s", name, err, tc.want)
			}
			if apiErr, ok := errors.AsType[*Error](err); !ok || apiErr.Status != http.StatusForbidden {
				t.Errorf("%s: errors.As finds %v, want the 403 *Error inside", name, apiErr)
			}
		}
	}
}

func TestOtherForbiddenIsNotDevMode(t *testing.T) {
	client, _, _ := serve(t, currentlyPlaying(t, http.StatusForbidden, `{"error":{"status":403,"message":"Player command failed: Premium required"}}`))
	_, err := client.CurrentlyPlaying(t.Context())
	if _, ok := errors.AsType[*DevModeError](err); ok {
		t.Fatalf("err = %v: a listener's own missing Premium is not a Dev-Mode refusal of the app", err)
	}
	if !strings.Contains(err.Error(), "user-read-currently-playing") {
		t.Errorf("err = %v, want the scope hint of a plain 403", err)
	}
}

// recorder is a Recorder that keeps the paths it was told.
type recorder struct {
	mu    sync.Mutex
	paths []string
}

func (r *recorder) Record(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, path)
}

func TestRecorderCountsEveryRequest(t *testing.T) {
	client, fake := againstFake(t)
	calls := &recorder{}
	client.Calls = calls
	fake.FailNext(CurrentlyPlayingPath, http.StatusBadGateway, 1)
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "a", Name: "A", Duration: time.Minute})
	if _, err := client.CurrentlyPlaying(t.Context()); err == nil {
		t.Fatal("want the injected 502")
	}
	if _, err := client.CurrentlyPlaying(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{CurrentlyPlayingPath, CurrentlyPlayingPath, MePath}
	if strings.Join(calls.paths, " ") != strings.Join(want, " ") {
		t.Errorf("recorded %q, want %q", calls.paths, want)
	}

	// A 401 and the retry with a refreshed token are two calls.
	retried, tokens, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"id":"x"}`))
	})
	calls2 := &recorder{}
	retried.Calls = calls2
	if _, err := retried.Me(t.Context()); err != nil || tokens.refreshes.Load() != 1 {
		t.Fatalf("Me: %v", err)
	}
	if len(calls2.paths) != 2 || calls2.paths[0] != "/v1/me" || calls2.paths[1] != "/v1/me" {
		t.Errorf("recorded %q, want /v1/me twice", calls2.paths)
	}
}

func TestFixedTokenIsNotRefreshed(t *testing.T) {
	client, fake := againstFake(t)
	fake.RevokeAll()
	_, err := client.Me(t.Context())
	if err == nil || !strings.Contains(err.Error(), "refresh the access token after the Spotify Web API refused it: the access token was refused and cannot be refreshed") {
		t.Fatalf("err = %v, want the refusal to refresh", err)
	}
}
