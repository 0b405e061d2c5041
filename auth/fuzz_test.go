package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"tokentray/internal/local"
)

func FuzzParseCallback(f *testing.F) {
	const state = "expected-state"
	f.Add("code=abc&state=expected-state")
	f.Add("error=access_denied&state=expected-state")
	f.Add("error=server_error&error_description=%3Cscript%3E&state=expected-state")
	f.Add("code=abc&state=wrong")
	f.Add("code=&state=expected-state")
	f.Add("state=expected-state&state=other&code=x")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		code, err := parseCallback(q, state)
		var stray *callbackError
		switch {
		case err == nil:
			if code == "" || q.Get("state") != state || q.Get("error") != "" {
				t.Fatalf("accepted %q: code %q", rawQuery, code)
			}
		case errors.As(err, &stray):
			if code != "" {
				t.Fatal("a stray request yielded a code")
			}
		default:
			// An error that ends the flow needs the right state: nobody else may end it.
			if q.Get("state") != state || q.Get("error") == "" {
				t.Fatalf("%q ended the flow: %v", rawQuery, err)
			}
		}
	})
}

// FuzzTokenResponse serves arbitrary token-endpoint bodies to a refresh: whatever Spotify (or
// something pretending to be it) answers, the manager must not panic, must not hand out an
// empty token, and must never lose the refresh token it has.
func FuzzTokenResponse(f *testing.F) {
	f.Add(200, `{"access_token":"AT","token_type":"Bearer","expires_in":3600,"scope":"user-read-currently-playing"}`)
	f.Add(200, `{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT2"}`)
	f.Add(200, `{"access_token":"","expires_in":3600}`)
	f.Add(200, `{"access_token":"AT","expires_in":-5}`)
	f.Add(200, `{"access_token":"AT","expires_in":"3600","scope":7}`)
	f.Add(400, `{"error":"invalid_grant","error_description":"Refresh token revoked"}`)
	f.Add(400, `{"error":"invalid_client"}`)
	f.Add(500, `<html>oops</html>`)
	f.Add(200, `not json`)
	f.Add(200, ``)
	f.Add(200, `{"access_token":"AT","expires_in":1000000000000}`)
	f.Add(307, ``)
	f.Add(400, `{"error":"invalid_request","error_description":"\u001b[31mred\u0007"}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 200 || status > 599 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		defer srv.Close()
		store := local.NewMemoryStore()
		old := &UserToken{RefreshToken: "RT1", ClientID: testApp.ClientID, AuthorizedAt: time.Now()}
		if err := saveJSON(store, local.KeyUserToken, old); err != nil {
			t.Fatal(err)
		}
		cfg := Config{ClientID: testApp.ClientID, ClientSecret: "s", AccountsURL: srv.URL}
		m := NewManager(cfg, store, t.TempDir()+"/lock", WithRetry(RetryPolicy{Attempts: 1}), WithWarnings(func(string) {}))
		before := time.Now()
		tok, err := m.Token(context.Background())
		if err == nil && tok.AccessToken == "" {
			t.Fatal("handed out an empty access token")
		}
		if err == nil && (tok.Expiry.Before(before.Add(time.Second)) || tok.Expiry.After(time.Now().Add(24*time.Hour))) {
			t.Fatalf("handed out a token expiring at %s (now %s): outside 1 s–24 h", tok.Expiry, before)
		}
		if err != nil && status < 400 && !errors.Is(err, ErrBadAnswer) {
			t.Fatalf("HTTP %d answer refused with %v, want ErrBadAnswer", status, err)
		}
		if err != nil && strings.ContainsFunc(err.Error(), func(r rune) bool { return unicode.IsControl(r) }) {
			t.Fatalf("control characters reach the message: %q", err)
		}
		stored, serr := m.Stored()
		if serr != nil || stored.RefreshToken == "" {
			t.Fatalf("the refresh token was lost: %+v, %v", stored, serr)
		}
	})
}

// FuzzLoadSettings feeds arbitrary bytes as settings.json: loading must not panic, and whatever
// it accepts must be valid settings.
