package auth

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// testApp is the app registered at the fake in these tests. Its redirect URI has no port, so
// every login may pick a free one, as Spotify allows for loopback IP literals.
var testApp = fakespotify.App{
	ClientID:     "0123456789abcdef0123456789abcdef",
	ClientSecret: "s3cr3t0123456789abcdef0123456789",
	Name:         "tokentray tests",
	RedirectURIs: []string{"http://127.0.0.1/callback"},
}

func startFake(t *testing.T, o fakespotify.Options) *fakespotify.Server {
	t.Helper()
	fake := fakespotify.New(o)
	if err := fake.RegisterApp(testApp); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// testConfig is a Config against fake; withSecret picks the confidential flow over PKCE.
func testConfig(fake *fakespotify.Server, withSecret bool) Config {
	cfg := Config{
		ClientID:    testApp.ClientID,
		Scopes:      local.TrayScopes(),
		RedirectURI: "http://127.0.0.1/callback",
		AccountsURL: fake.URL(),
	}
	if withSecret {
		cfg.ClientSecret = testApp.ClientSecret
	}
	return cfg
}

// noWait retries without sleeping and records the waits it was asked for.
func noWait(waits *[]time.Duration) Option {
	return WithRetry(RetryPolicy{Attempts: 4, Base: time.Second, Max: 8 * time.Second,
		Sleep: func(_ context.Context, d time.Duration) error { *waits = append(*waits, d); return nil }})
}

func newTestManager(t *testing.T, cfg Config, store local.SecretStore, opts ...Option) *Manager {
	t.Helper()
	return NewManager(cfg, store, filepath.Join(t.TempDir(), "refresh.lock"), opts...)
}

// browser plays the user's browser through the fake's auto-approve switch and hands back the
// page the loopback server answered with.
func browser(t *testing.T) (open func(string) error, page <-chan string) {
	t.Helper()
	return browserFor(t)
}

func browserFor(testing.TB) (open func(string) error, page <-chan string) {
	pages := make(chan string, 1)
	return func(authURL string) error {
		go func() {
			p, err := fakespotify.Approve(authURL)
			if err != nil {
				p += "error: " + err.Error()
			}
			pages <- p
		}()
		return nil
	}, pages
}

// login runs a full login against the fake and fails the test if it does not succeed.
func login(t *testing.T, m *Manager) *UserToken {
	t.Helper()
	open, page := browser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ut, err := m.Login(ctx, LoginOptions{OpenBrowser: open})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if p := <-page; !strings.Contains(p, "Logged in") {
		t.Fatalf("browser shows %q, want the success page", p)
	}
	return ut
}

func tokenRequests(fake *fakespotify.Server, grantType string) []fakespotify.Request {
	var out []fakespotify.Request
	for _, r := range fake.Requests() {
		if r.Path == "/api/token" && r.Form.Get("grant_type") == grantType {
			out = append(out, r)
		}
	}
	return out
}
