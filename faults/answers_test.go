//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
)

// pathological is a token endpoint that answers what the fake never would.
func pathological(t *testing.T, answer func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/token" {
			http.NotFound(w, r)
			return
		}
		answer(w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// staleLoginAt stores a login whose access token has expired, as if made against accountsURL.
func staleLoginAt(t *testing.T, accountsURL string) *profile {
	t.Helper()
	p := newProfile(t, accountsURL, false)
	s := local.DefaultSettings()
	s.ClientID = fakespotify.DemoApp.ClientID
	if err := local.SaveSettings(p.dir, s); err != nil {
		t.Fatal(err)
	}
	ut, _ := json.Marshal(auth.UserToken{AccessToken: "expired", TokenType: "Bearer", RefreshToken: "AQ-stored-refresh-token",
		Expiry: time.Now().Add(-time.Hour), AuthorizedAt: time.Now(), ClientID: s.ClientID})
	if err := local.NewFileStore(filepath.Join(p.dir, "secrets.json")).Set(local.KeyUserToken, string(ut)); err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonAnswer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func TestOddExpiresInIsBounded(t *testing.T) {
	t.Parallel()
	for _, expiresIn := range []string{"0", "-60", "1000000000000"} {
		t.Run(expiresIn, func(t *testing.T) {
			srv := pathological(t, jsonAnswer(200, `{"access_token":"BQ-new","token_type":"Bearer","expires_in":`+expiresIn+`,"refresh_token":"AQ-next"}`))
			p := staleLoginAt(t, srv.URL)
			before := time.Now()
			r := p.run("token", "--json")
			var out struct {
				AccessToken string    `json:"access_token"`
				ExpiresAt   time.Time `json:"expires_at"`
			}
			if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &out) != nil {
				t.Fatalf("exit %d, stdout %q, stderr %s", r.Code, r.Stdout, r.Stderr)
			}
			left := out.ExpiresAt.Sub(before)
			if out.AccessToken != "BQ-new" || left < 3590*time.Second || left > 3610*time.Second+r.Took {
				t.Fatalf("printed %s expiring in %s; want an hour assumed", out.AccessToken, left)
			}
			if !strings.Contains(r.Stderr, "seconds; assuming 3600") {
				t.Fatalf("no warning: %s", r.Stderr)
			}
			report(t, row{id: "5.1 expires_in " + expiresIn, fault: "the token answer says `expires_in` " + expiresIn,
				done:     "a lifetime outside 1 s–24 h is taken as 3600 s with a warning (refusing it would drop a rotated refresh token)",
				promise:  "never an expired token with exit 0, never a token trusted for years",
				measured: fmt.Sprintf("exit %d, token expires in %s, warned", r.Code, left.Round(time.Second))})
		})
	}
}

func TestUnusableTokenAnswersExitFour(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	for _, tc := range []struct {
		name   string
		answer func(http.ResponseWriter)
	}{
		{"a 200 with HTML", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>captive portal</html>"))
		}},
		{"a 200 with broken JSON", jsonAnswer(200, `{"access_token":`)},
		{"a 200 with an empty access_token", jsonAnswer(200, `{"access_token":"","token_type":"Bearer","expires_in":3600}`)},
		{"a 307 to another port", func(w http.ResponseWriter) {
			w.Header().Set("Location", other.URL+"/api/token")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := pathological(t, tc.answer)
			p := staleLoginAt(t, srv.URL)
			r := p.run("token")
			if r.Code != 4 || r.Stdout != "" || !strings.Contains(r.Stderr, "Spotify sent an answer tokentray cannot use") {
				t.Fatalf("exit %d, stdout %q, stderr %s", r.Code, r.Stdout, r.Stderr)
			}
			if elsewhere.Load() != 0 {
				t.Fatal("the redirect was followed: the refresh token went to another server")
			}
			report(t, row{id: "5.2 " + tc.name, fault: "the token endpoint answers " + tc.name,
				done:     "the answer is checked before use (JSON, non-empty token); redirects are never followed on the token endpoint",
				promise:  `exit 4, "Spotify sent an answer tokentray cannot use"; credentials go nowhere else`,
				measured: fmt.Sprintf("exit %d: %q", r.Code, lastLine(r.Stderr))})
		})
	}
}

func TestServerTextIsStrippedOfControlCharacters(t *testing.T) {
	t.Parallel()
	srv := pathological(t, jsonAnswer(400, `{"error":"invalid_request","error_description":"\u001b[31mred\u001b[0m\u0007 \u202eevil\r\nline"}`))
	p := staleLoginAt(t, srv.URL)
	r := p.run("token")
	if r.Code != 1 || strings.ContainsAny(r.Stderr, "\x1b\x07\r\u202e") || !strings.Contains(r.Stderr, "[31mred") {
		t.Fatalf("exit %d, stderr %q", r.Code, r.Stderr)
	}
	report(t, row{id: "5.3", fault: "control characters (terminal escapes, bidi override, CR) in `error_description`",
		done: "server text is stripped of control and format characters and cut to 300 characters", promise: "nothing raw reaches the terminal",
		measured: fmt.Sprintf("exit %d: %q", r.Code, lastLine(r.Stderr))})
}

func TestOutagesAndRefusals(t *testing.T) {
	t.Parallel()
	t.Run("5xx forever", func(t *testing.T) {
		fake, p := loggedIn(t, false)
		fake.FailNext("/api/token", http.StatusServiceUnavailable, 1000)
		r := p.run("token")
		if r.Code != 4 || r.Took > 15*time.Second || !p.loginKept(fake) {
			t.Fatalf("exit %d after %s: %s", r.Code, r.Took, r.Stderr)
		}
		report(t, row{id: "R.3", fault: "the token endpoint answers 503 forever", done: "4 tries with jittered backoff", promise: "exit 4 within 15 s, login kept",
			measured: fmt.Sprintf("exit %d after %s", r.Code, r.Took.Round(100*time.Millisecond))})
	})
	t.Run("Retry-After 86400", func(t *testing.T) {
		fake, p := loggedIn(t, false)
		fake.RateLimitNext("/api/token", 24*time.Hour, 1)
		r := p.run("token")
		if r.Code != 4 || r.Took > 5*time.Second || !strings.Contains(r.Stderr, "try again in 24h0m0s") {
			t.Fatalf("exit %d after %s: %s", r.Code, r.Took, r.Stderr)
		}
		report(t, row{id: "R.4", fault: "a 429 with `Retry-After: 86400`", done: "a wait longer than the command allows gives up at once, saying when to retry",
			promise: "exit 4 at once", measured: fmt.Sprintf("exit %d after %s", r.Code, r.Took.Round(100*time.Millisecond))})
	})
	t.Run("invalid_grant", func(t *testing.T) {
		fake, p := loggedIn(t, false)
		before, _ := p.stored()
		fake.RevokeAll()
		r := p.run("token")
		after, err := p.stored()
		if r.Code != 3 || err != nil || !after.NeedsLogin || after.RefreshToken != before.RefreshToken {
			t.Fatalf("exit %d, stored %+v (%v): %s", r.Code, after, err, r.Stderr)
		}
		report(t, row{id: "R.5", fault: "Spotify answers invalid_grant (revoked)", done: "the record is flagged, not deleted, so `status` can say whose it was",
			promise: "exit 3, the refresh token kept", measured: fmt.Sprintf("exit %d, record kept and flagged", r.Code)})
	})
}
