package fakespotify_test

import (
	"strings"
	"testing"
	"time"

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

func TestStartLoggedIn(t *testing.T) {
	c := &clock{t: start}
	s, base, at, err := fakespotify.StartLoggedIn(t.Context(), fakespotify.Options{Now: c.Now}, testApp, "user-read-email")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if base != s.URL() {
		t.Errorf("base URL %q, want the server's %q", base, s.URL())
	}
	if kind, remaining, ok := s.AccessTokenValid(at); !ok || kind != fakespotify.KindUser || remaining != time.Hour {
		t.Fatalf("token: kind %q remaining %v valid %v, want a fresh user token", kind, remaining, ok)
	}
}
