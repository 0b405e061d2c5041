package fakespotify_test

import (
	"strings"
	"testing"

	"tokentray/internal/fakespotify"
)

func TestLogIn(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	at, err := fakespotify.LogIn(t.Context(), e.base, testApp, "user-read-currently-playing")
	if err != nil {
		t.Fatal(err)
	}
	if kind, _, ok := e.s.AccessTokenValid(at); !ok || kind != fakespotify.KindUser {
		t.Fatalf("LogIn's token: kind %q valid %v, want a valid user token", kind, ok)
	}
	if resp, body := e.get("/v1/me/player/currently-playing", bearer(at)); resp.StatusCode != 204 {
		t.Fatalf("currently-playing with LogIn's token: %d %s, want 204 (scope granted, nothing playing)", resp.StatusCode, body)
	}

	unknown := testApp
	unknown.ClientID = strings.Repeat("f", 32)
	if _, err := fakespotify.LogIn(t.Context(), e.base, unknown); err == nil || !strings.Contains(err.Error(), "/authorize answered 400") {
		t.Fatalf("LogIn with an unregistered app: %v, want /authorize's refusal", err)
	}
}
