package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// Windows Credential Manager refuses a credential blob over 2,560 bytes, and go-keyring stores
// the value's UTF-8 bytes as the blob (go-keyring's keyring_windows.go). A record that grew past
// it would make every login and refresh fail on Windows only, so this test measures the largest
// value tokentray stores, built by the real code path, with token lengths as Spotify issues them.
const (
	credentialBlobLimit = 2560
	// blobMargin is room for Spotify to lengthen its tokens, or for a wordier refusal: a
	// stored value may use at most limit - margin = 2,048 bytes (measured: about 1,670 for the user
	// token record below, about 530 for the app token).
	blobMargin = 512
	// spotifyAccessTokenLen is the length this test gives access tokens; Spotify's are about
	// 300 characters today (the fake's 162 would flatter the measurement).
	spotifyAccessTokenLen = 400
)

// sizeRecorder is a memory store that remembers the largest value written under each key.
type sizeRecorder struct {
	local.SecretStore
	mu      sync.Mutex
	largest map[string]int
}

func (s *sizeRecorder) Set(key, value string) error {
	s.mu.Lock()
	s.largest[key] = max(s.largest[key], len(value))
	s.mu.Unlock()
	return s.SecretStore.Set(key, value)
}

// spotifySizedTokens forwards to fake and lengthens every access token it issues to
// spotifyAccessTokenLen characters; refresh tokens pass unchanged (the fake's 130 characters are
// Spotify's length), so refreshes keep working.
func spotifySizedTokens(t *testing.T, fake *fakespotify.Server) string {
	t.Helper()
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/api/token" || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var answer map[string]any
		if err := json.Unmarshal(body, &answer); err != nil {
			return err
		}
		at, _ := answer["access_token"].(string)
		if at == "" || len(at) > spotifyAccessTokenLen {
			return errors.New("the fake issued no access token, or a longer one than this test pads to")
		}
		answer["access_token"] = at + strings.Repeat("x", spotifyAccessTokenLen-len(at))
		if body, err = json.Marshal(answer); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStoredValuesFitCredentialManager(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	// A long display name of multi-byte characters and of <, > and &, which JSON writes as
	// six-byte escapes.
	user := fakespotify.User{ID: "31l77y2xdbhrz3fbmx6fvfoveyai", DisplayName: strings.Repeat("Zoë <&> 🎧 ", 8)}
	fake.SetUser(user)
	cfg := testConfig(fake, true)
	cfg.AccountsURL = spotifySizedTokens(t, fake)
	cfg.Scopes = nil
	for _, s := range local.AllScopes {
		cfg.Scopes = append(cfg.Scopes, s.Name)
	}
	store := &sizeRecorder{SecretStore: local.NewMemoryStore(), largest: map[string]int{}}
	m := newTestManager(t, cfg, store)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	ut := login(t, m)
	if got := len(ut.GrantedScopes()); got != len(local.AllScopes) {
		t.Fatalf("granted %d scopes, want all %d", got, len(local.AllScopes))
	}
	if len(ut.AccessToken) != spotifyAccessTokenLen {
		t.Fatalf("access token has %d characters, want the padded %d", len(ut.AccessToken), spotifyAccessTokenLen)
	}
	if err := m.SetAccount(ctx, Account{ID: user.ID, DisplayName: user.DisplayName}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ForceRefresh(ctx, ut.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := m.AppToken(ctx); err != nil {
		t.Fatal(err)
	}
	// The largest record: Spotify refused the refresh token, and the record keeps the reason.
	fake.RevokeAll()
	current := m.Cached()
	if _, err := m.ForceRefresh(ctx, current.AccessToken); !errors.Is(err, ErrNeedsLogin) {
		t.Fatalf("refresh after revoking: err = %v, want ErrNeedsLogin", err)
	}
	flagged, err := m.Stored()
	if err != nil || !flagged.NeedsLogin || flagged.Account.DisplayName != user.DisplayName {
		t.Fatalf("stored record after the refusal: %+v, %v; want it flagged, with the account", flagged, err)
	}

	for _, key := range []string{local.KeyUserToken, local.KeyAppToken} {
		size, ok := store.largest[key]
		if !ok {
			t.Fatalf("nothing was stored under %q", key)
		}
		t.Logf("largest %q value: %d bytes (limit %d, margin %d)", key, size, credentialBlobLimit, blobMargin)
		if size > credentialBlobLimit-blobMargin {
			t.Errorf("%q takes up to %d bytes: over Credential Manager's %d-byte limit less the %d-byte margin; "+
				"trim the record (fields derivable at load time) or split it across keys", key, size, credentialBlobLimit, blobMargin)
		}
	}
}
