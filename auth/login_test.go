package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

func TestLoginWithSecretUsesBasicAuthAndStoresTheToken(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	store := local.NewMemoryStore()
	m := newTestManager(t, testConfig(fake, true), store)

	ut := login(t, m)

	if !fake.RefreshTokenValid(ut.RefreshToken) {
		t.Fatal("the stored refresh token is not one the fake issued")
	}
	if kind, left, ok := fake.AccessTokenValid(ut.AccessToken); !ok || kind != "user" || left < 59*time.Minute {
		t.Fatalf("access token: kind %q, %s left, valid %v", kind, left, ok)
	}
	if got := ut.GrantedScopes(); strings.Join(got, " ") != strings.Join(local.TrayScopes(), " ") {
		t.Fatalf("granted scopes %v, want %v", got, local.TrayScopes())
	}
	exchanges := tokenRequests(fake, "authorization_code")
	if len(exchanges) != 1 {
		t.Fatalf("%d code exchanges, want 1", len(exchanges))
	}
	ex := exchanges[0]
	if ex.Auth != "Basic" || ex.Form.Has("client_secret") || ex.Form.Has("code_verifier") {
		t.Fatalf("confidential exchange sent auth %q, form keys %v: want Basic auth and no verifier", ex.Auth, keys(ex.Form))
	}
	stored, err := m.Stored()
	if err != nil || stored.RefreshToken != ut.RefreshToken || stored.AuthorizedAt.IsZero() || stored.ClientID != testApp.ClientID {
		t.Fatalf("stored %+v, %v", stored, err)
	}
}

func TestLoginWithoutSecretUsesPKCE(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, false), local.NewMemoryStore())

	ut := login(t, m)

	ex := tokenRequests(fake, "authorization_code")[0]
	if ex.Auth != "" || ex.Form.Get("client_id") != testApp.ClientID || ex.Form.Get("code_verifier") == "" || ex.Form.Has("client_secret") {
		t.Fatalf("PKCE exchange sent auth %q, form keys %v", ex.Auth, keys(ex.Form))
	}
	var authorize fakespotify.Request
	for _, r := range fake.Requests() {
		if r.Path == "/authorize" {
			authorize = r
		}
	}
	if authorize.Query.Get("code_challenge_method") != "S256" || authorize.Query.Get("code_challenge") == "" || authorize.Query.Get("state") == "" {
		t.Fatalf("authorize query %v lacks the S256 challenge or state", authorize.Query)
	}
	if !fake.RefreshTokenValid(ut.RefreshToken) {
		t.Fatal("refresh token not valid at the fake")
	}
}

func TestLoginUsesTheFixedPortOfTheRedirectURI(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	port := freePort(t)
	cfg := testConfig(fake, true)
	cfg.RedirectURI = fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	m := newTestManager(t, cfg, local.NewMemoryStore())

	login(t, m)

	ex := tokenRequests(fake, "authorization_code")[0]
	if got := ex.Form.Get("redirect_uri"); got != cfg.RedirectURI {
		t.Fatalf("exchange used redirect_uri %q, want %q", got, cfg.RedirectURI)
	}
}

func TestLoginRefusesABusyPortNamingIt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := Config{ClientID: testApp.ClientID, RedirectURI: fmt.Sprintf("http://127.0.0.1:%d/callback", port), AccountsURL: "http://127.0.0.1:1"}
	m := newTestManager(t, cfg, local.NewMemoryStore())

	_, err = m.Login(context.Background(), LoginOptions{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d", port)) || !strings.Contains(err.Error(), "redirect URI") {
		t.Fatalf("want an error naming port %d and the redirect URI fix, got %v", port, err)
	}
}

func TestLoginRefusesLocalhost(t *testing.T) {
	cfg := Config{ClientID: testApp.ClientID, RedirectURI: "http://localhost:8888/callback"}
	m := newTestManager(t, cfg, local.NewMemoryStore())
	_, err := m.Login(context.Background(), LoginOptions{})
	var fe *local.FieldError
	if !errors.As(err, &fe) || fe.Field != "redirect_uri" || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("want a redirect_uri field error pointing to 127.0.0.1, got %v", err)
	}
}

// pendingLogin starts a login whose browser step the test performs by hand.
func pendingLogin(t *testing.T, m *Manager, timeout time.Duration) (authURL *url.URL, result <-chan error) {
	t.Helper()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		_, err := m.Login(context.Background(), LoginOptions{Timeout: timeout, OnAuthorizeURL: func(u string) { urls <- u }})
		done <- err
	}()
	select {
	case u := <-urls:
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return parsed, done
	case err := <-done:
		t.Fatalf("login ended before it listened: %v", err)
	}
	return nil, nil
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestCallbackServerIgnoresStrayRequestsAndKeepsWaiting(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	authURL, result := pendingLogin(t, m, time.Minute)
	callback, _ := url.Parse(authURL.Query().Get("redirect_uri"))
	if callback.Hostname() != "127.0.0.1" {
		t.Fatalf("callback host %q, want 127.0.0.1", callback.Hostname())
	}
	base := "http://" + callback.Host

	if code, _ := get(t, base+"/favicon.ico"); code != http.StatusNotFound {
		t.Fatalf("favicon: %d, want 404", code)
	}
	if resp, err := http.Post(base+callback.Path, "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST callback: %v %v, want 405", resp, err)
	}
	if code, body := get(t, base+callback.Path+"?code=abc&state=forged"); code != http.StatusBadRequest || !strings.Contains(body, "state") {
		t.Fatalf("wrong state: %d %q, want 400 explaining the state", code, body)
	}
	if code, _ := get(t, base+callback.Path+"?code=abc"); code != http.StatusBadRequest {
		t.Fatalf("missing state: %d, want 400", code)
	}
	select {
	case err := <-result:
		t.Fatalf("stray requests ended the login: %v", err)
	default:
	}

	// The real browser comes back: the login completes.
	q := authURL.Query()
	q.Set("fake_auto_approve", "1")
	authURL.RawQuery = q.Encode()
	if code, body := get(t, authURL.String()); code != http.StatusOK || !strings.Contains(body, "Logged in") {
		t.Fatalf("real callback: %d %q", code, body)
	}
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

func TestCallbackErrorsEndTheLoginWithAnEscapedMessage(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	for _, tc := range []struct {
		query   string
		wantErr string
		wantIs  error
	}{
		{"error=access_denied", "Cancel", ErrAccessDenied},
		{"error=server_error&error_description=" + url.QueryEscape("<script>alert(1)</script>"), "server_error", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
			authURL, result := pendingLogin(t, m, time.Minute)
			state := authURL.Query().Get("state")
			_, body := get(t, authURL.Query().Get("redirect_uri")+"?state="+url.QueryEscape(state)+"&"+tc.query)
			if strings.Contains(body, "<script>") {
				t.Fatalf("page echoes unescaped HTML: %s", body)
			}
			err := <-result
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || (tc.wantIs != nil && !errors.Is(err, tc.wantIs)) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestLoginTimesOutAndFreesThePort(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	port := freePort(t)
	cfg := testConfig(fake, true)
	cfg.RedirectURI = fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	m := newTestManager(t, cfg, local.NewMemoryStore())

	_, err := m.Login(context.Background(), LoginOptions{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrLoginTimeout) {
		t.Fatalf("got %v, want ErrLoginTimeout", err)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d still taken after the login ended: %v", port, err)
	}
	ln.Close()
}

func TestLoginCancelledByContext(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	ctx, cancel := context.WithCancel(context.Background())
	_, err := m.Login(ctx, LoginOptions{OnAuthorizeURL: func(string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestLoginReportsARefusedExchange(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	cfg := testConfig(fake, true)
	cfg.ClientSecret = "wrong-secret-0000000000000000000"
	m := newTestManager(t, cfg, local.NewMemoryStore())
	open, page := browser(t)
	_, err := m.Login(context.Background(), LoginOptions{OpenBrowser: open, Timeout: 20 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "Invalid client secret") || !strings.Contains(err.Error(), "dashboard") {
		t.Fatalf("got %v, want the fake's 'Invalid client secret' with the fix", err)
	}
	if p := <-page; !strings.Contains(p, "Login failed") || strings.Contains(p, cfg.ClientSecret) {
		t.Fatalf("browser page %q: want the failure, without the secret", p)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func keys(v url.Values) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestCallbackRefusesAForeignHostAndKeepsWaiting(t *testing.T) {
	fake := startFake(t, fakespotify.Options{})
	m := newTestManager(t, testConfig(fake, true), local.NewMemoryStore())
	authURL, result := pendingLogin(t, m, 20*time.Second)
	callback := authURL.Query().Get("redirect_uri")
	req, _ := http.NewRequest(http.MethodGet, callback+"?code=x&state="+authURL.Query().Get("state"), nil)
	req.Host = "rebound.example" // what a browser sends after DNS rebinding
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("foreign Host answered %s, want 421", resp.Status)
	}
	if page, err := fakespotify.Approve(authURL.String()); err != nil {
		t.Fatalf("the real answer after it: %v\n%s", err, page)
	}
	if err := <-result; err != nil {
		t.Fatalf("login: %v", err)
	}
}
