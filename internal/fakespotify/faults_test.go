package fakespotify_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/fakespotify"
)

var appTokenForm = url.Values{"grant_type": {"client_credentials"}}

func (e *env) appToken() string {
	e.t.Helper()
	resp, body := e.postForm("/api/token", appTokenForm, testApp.ClientID, testApp.ClientSecret)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("app token: %d %s", resp.StatusCode, body)
	}
	return decode[tokenJSON](e.t, body).AccessToken
}

func TestFailNext(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	e.s.FailNext("/api/token", http.StatusServiceUnavailable, 2)
	for range 2 {
		resp, body := e.postForm("/api/token", appTokenForm, testApp.ClientID, testApp.ClientSecret)
		if got := decode[oauthErrorJSON](t, body); resp.StatusCode != 503 || got.Error != "server_error" {
			t.Fatalf("injected failure: %d %s", resp.StatusCode, body)
		}
	}
	at := e.appToken() // the third request goes through

	e.s.FailNext("/v1/tracks/x", http.StatusBadGateway, 1)
	resp, body := e.get("/v1/tracks/x", bearer(at))
	if got := decode[apiErrorJSON](t, body); resp.StatusCode != 502 || got.Error.Status != 502 || got.Error.Message != "Bad Gateway" {
		t.Fatalf("Web API failure: %d %s", resp.StatusCode, body)
	}

	var statuses []int
	for _, r := range e.s.Requests() {
		if r.Path == "/api/token" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 3 || statuses[0] != 503 || statuses[1] != 503 || statuses[2] != 200 || e.s.Count("POST", "/api/token") != 3 {
		t.Fatalf("logged token statuses %v", statuses)
	}
}

func TestFaultAnswersLookLikeTheService(t *testing.T) {
	tests := []struct {
		path, method string
		status       int // as passed to FailNext
		wantStatus   int
		wantType     string
		wantBody     string
	}{
		{"/v1/me", "GET", 503, 503, "application/json", `{"error":{"message":"Service Unavailable","status":503}}`},
		{"/api/token", "POST", 500, 500, "application/json", `{"error":"server_error","error_description":"Internal Server Error"}`},
		{"/authorize", "GET", 502, 502, "text/html", "Bad Gateway"},
		{"/v1/me", "GET", 200, 500, "application/json", `"status":500`}, // not an error status: 500
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			e := newEnv(t, fakespotify.Options{})
			e.s.FailNext(tt.path, tt.status, 1)
			req, _ := http.NewRequest(tt.method, e.base+tt.path, nil)
			resp, body := e.do(req)
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.wantType) ||
				!strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("got %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

func TestMalformedFormIsRejected(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	req, _ := http.NewRequest(http.MethodPost, e.base+"/api/token", strings.NewReader("grant_type=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, body := e.do(req); resp.StatusCode != 400 || !strings.Contains(string(body), "malformed") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if r := e.s.Requests(); len(r) != 1 || r[0].Status != 400 {
		t.Fatalf("log %+v", r)
	}
}

func TestRateLimitNext(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	at := e.userToken("user-read-currently-playing").AccessToken
	const path = "/v1/me/player/currently-playing"
	e.s.FailNext(path, 500, 1)
	e.s.RateLimitNext(path, 2500*time.Millisecond, 1) // queued after the failure; rounds up to 3 s

	if resp, _ := e.get(path, bearer(at)); resp.StatusCode != 500 {
		t.Fatalf("first: %d, want the queued 500", resp.StatusCode)
	}
	resp, body := e.get(path, bearer(at))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || decode[apiErrorJSON](t, body).Error.Status != 429 {
		t.Fatalf("second: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, _ := e.get(path, bearer(at)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("third: %d, want the real answer (204)", resp.StatusCode)
	}
}

func TestSetDelayRespectsCancellation(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	e.s.SetDelay("/api/token", time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/api/token", strings.NewReader(appTokenForm.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("delayed request: %v, want the client's deadline", err)
	}
	// The handler must give up with the client rather than hold for an hour;
	// it then logs status 0. Poll: the server notices the closed connection
	// asynchronously.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if r := e.s.Requests(); len(r) == 1 && r[0].Status == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delayed handler did not stop with its client; log %+v", e.s.Requests())
		}
	}
	e.s.SetDelay("/api/token", 0)
	e.appToken()
}

func TestControlAPI(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	control := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.base+path, nil)
		resp, body := e.do(req)
		return resp.StatusCode, string(body)
	}
	ok := func(path string) {
		t.Helper()
		if status, body := control(path); status != 200 || body != `{"ok":true}` {
			t.Fatalf("POST %s: %d %s", path, status, body)
		}
	}

	ok("/_fake/token-lifetime?seconds=5")
	resp, body := e.postForm("/api/token", appTokenForm, testApp.ClientID, testApp.ClientSecret)
	at := decode[tokenJSON](t, body)
	if resp.StatusCode != 200 || at.ExpiresIn != 5 {
		t.Fatalf("after token-lifetime=5: %s", body)
	}

	ok("/_fake/fail?path=/v1/tracks/x&status=502&n=1")
	if resp, _ := e.get("/v1/tracks/x", bearer(at.AccessToken)); resp.StatusCode != 502 {
		t.Fatalf("after /_fake/fail: %d", resp.StatusCode)
	}
	ok("/_fake/rate-limit?path=/v1/tracks/x&retry_after=7&n=1")
	if resp, _ := e.get("/v1/tracks/x", bearer(at.AccessToken)); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
		t.Fatalf("after /_fake/rate-limit: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	ok("/_fake/revoke-all")
	if _, _, valid := e.s.AccessTokenValid(at.AccessToken); valid {
		t.Fatal("/_fake/revoke-all left the token valid")
	}

	p := e.s.Player()
	p.SetQueue(item("a", time.Minute), item("b", time.Minute))
	for _, step := range []struct {
		action, wantID string
		wantPlaying    bool
	}{{"pause", "a", false}, {"play", "a", true}, {"next", "b", true}, {"stop", "", false}} {
		ok("/_fake/player/" + step.action)
		if it, _, playing, _ := p.Current(); it.ID != step.wantID || playing != step.wantPlaying {
			t.Fatalf("after %s: %q playing=%v", step.action, it.ID, playing)
		}
	}

	for _, bad := range []struct{ path, wantInError string }{
		{"/_fake/fail?path=/v1/me&status=200&n=1", "status"},
		{"/_fake/fail?path=v1/me&status=500&n=1", "path"},
		{"/_fake/fail?status=500&n=1", "path"},
		{"/_fake/fail?path=/v1/me&status=500&n=0", "n="},
		{"/_fake/rate-limit?path=/v1/me&retry_after=soon&n=1", "retry_after"},
		{"/_fake/token-lifetime?seconds=-1", "seconds"},
		{"/_fake/player/rewind", "rewind"},
	} {
		if status, body := control(bad.path); status != 400 || !strings.Contains(body, bad.wantInError) {
			t.Errorf("POST %s: %d %s, want 400 naming %q", bad.path, status, body, bad.wantInError)
		}
	}

	resp, body = e.get("/_fake/requests", nil)
	logged := decode[[]fakespotify.Request](t, body)
	if resp.StatusCode != 200 || len(logged) != len(e.s.Requests()) || len(logged) == 0 {
		t.Fatalf("/_fake/requests: %d, %d entries, want %d", resp.StatusCode, len(logged), len(e.s.Requests()))
	}
	for _, r := range logged {
		if strings.HasPrefix(r.Path, "/_fake/") {
			t.Fatalf("control requests must not be logged: %+v", r)
		}
	}
}

func TestLogKeepsSecretsOut(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	rt := *e.userToken("").RefreshToken
	e.postForm("/api/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {testApp.ClientID}, "client_secret": {testApp.ClientSecret},
	}, "", "")
	last := e.s.Requests()[len(e.s.Requests())-1]
	if got := last.Form.Get("client_secret"); got != testApp.ClientSecret[:4]+"…" {
		t.Fatalf("logged client_secret %q, want its first 4 characters", got)
	}
	if got := last.Form.Get("refresh_token"); got != rt[:4]+"…" {
		t.Fatalf("logged refresh_token %q", got)
	}
	if last.Form.Get("client_id") != testApp.ClientID {
		t.Fatal("non-secret fields must be logged as sent")
	}
	_, body := e.get("/_fake/requests", nil)
	for _, secret := range []string{testApp.ClientSecret, rt} {
		if strings.Contains(string(body), secret) {
			t.Fatal("/_fake/requests leaks a secret")
		}
	}
}

func TestHeldTokenAnswerHasAlreadyRotated(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	verifier := oauth2.GenerateVerifier()
	code := e.code(testApp.RedirectURIs[0], "", oauth2.S256ChallengeFromVerifier(verifier))
	resp, body := e.postForm("/api/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testApp.RedirectURIs[0]}, "client_id": {testApp.ClientID},
		"code_verifier": {verifier}}, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PKCE exchange: %d %s", resp.StatusCode, body)
	}
	rt := *decode[tokenJSON](t, body).RefreshToken

	grants := make(chan string, 1)
	e.s.OnTokensIssued(func(grant string) { grants <- grant })
	e.s.HoldTokenAnswers(time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testApp.ClientID}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/api/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("held answer: %v, want the client's deadline", err)
	}
	if g := <-grants; g != "refresh_token" {
		t.Fatalf("hook saw grant %q", g)
	}
	if e.s.RefreshTokenValid(rt) {
		t.Fatal("the held refresh did not rotate: a client that never read the answer must have lost the old token")
	}
	e.s.HoldTokenAnswers(0)
	e.s.OnTokensIssued(nil)
	e.appToken()
}
