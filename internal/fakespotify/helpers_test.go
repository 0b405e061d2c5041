package fakespotify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

// testApp has a name that needs HTML escaping, a port-less loopback URI (any
// port), a URI with a fixed port, an IPv6 loopback and an https URI.
var testApp = fakespotify.App{
	ClientID:     "00112233445566778899aabbccddeeff",
	ClientSecret: "topsecretvalue0123456789abcdef00",
	Name:         `Test <App> & "Co"`,
	RedirectURIs: []string{
		"http://127.0.0.1/callback",
		"http://127.0.0.1:8888/fixed",
		"http://[::1]/v6",
		"https://example.com/cb",
	},
}

const anyPortRedirect = "http://127.0.0.1:5555/callback"

// clock is a fake clock that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake started on a real loopback port with testApp registered.
type env struct {
	t     *testing.T
	s     *fakespotify.Server
	base  string
	clock *clock
}

func newEnv(t *testing.T, o fakespotify.Options) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	if o.Now == nil {
		o.Now = c.Now
	}
	s := fakespotify.New(o)
	if err := s.RegisterApp(testApp); err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, s: s, base: base, clock: c}
}

// noRedirect lets tests look at /authorize's redirects instead of following
// them to a callback nobody listens on.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (e *env) get(path string, header http.Header) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, body
}

// postForm posts a form; user/pass, when user is not empty, go in Basic auth.
func (e *env) postForm(path string, form url.Values, user, pass string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return e.do(req)
}

// authorize sends the browser to /authorize and returns the redirect
// target's query (failing unless the answer is a redirect to redirectURI).
func (e *env) authorize(params url.Values) url.Values {
	e.t.Helper()
	resp, body := e.get("/authorize?"+params.Encode(), nil)
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d, want 302; body: %s", resp.StatusCode, body)
	}
	return e.callback(resp, params.Get("redirect_uri"))
}

// callback checks that resp redirects to redirectURI and returns its query.
func (e *env) callback(resp *http.Response, redirectURI string) url.Values {
	e.t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	want, _ := url.Parse(redirectURI)
	if loc.Scheme != want.Scheme || loc.Host != want.Host || loc.Path != want.Path {
		e.t.Fatalf("redirected to %s, want %s", loc, redirectURI)
	}
	return loc.Query()
}

// code runs an auto-approved authorization for testApp and returns the code.
func (e *env) code(redirectURI, scope, challenge string) string {
	e.t.Helper()
	p := url.Values{
		"client_id": {testApp.ClientID}, "response_type": {"code"}, "redirect_uri": {redirectURI},
		"scope": {scope}, "fake_auto_approve": {"1"},
	}
	if challenge != "" {
		p.Set("code_challenge", challenge)
		p.Set("code_challenge_method", "S256")
	}
	q := e.authorize(p)
	if q.Get("code") == "" {
		e.t.Fatalf("no code in callback: %v", q)
	}
	return q.Get("code")
}

// userToken runs the confidential flow and returns the token response.
func (e *env) userToken(scope string) tokenJSON {
	e.t.Helper()
	code := e.code(anyPortRedirect, scope, "")
	resp, body := e.postForm("/api/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {anyPortRedirect},
	}, testApp.ClientID, testApp.ClientSecret)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	return decode[tokenJSON](e.t, body)
}

type tokenJSON struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    int     `json:"expires_in"`
	RefreshToken *string `json:"refresh_token"`
	Scope        *string `json:"scope"`
}

type oauthErrorJSON struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

type apiErrorJSON struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}
