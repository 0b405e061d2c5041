package fakespotify_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"tokentray/internal/fakespotify"
)

func TestRegisterApp(t *testing.T) {
	valid := testApp
	with := func(change func(*fakespotify.App)) fakespotify.App {
		a := valid
		a.RedirectURIs = append([]string(nil), valid.RedirectURIs...)
		change(&a)
		return a
	}
	tests := []struct {
		name    string
		app     fakespotify.App
		wantErr string // substring; "" means accepted
	}{
		{"valid", valid, ""},
		{"demo app", fakespotify.DemoApp, ""},
		{"localhost", with(func(a *fakespotify.App) { a.RedirectURIs = []string{"http://localhost:8888/callback"} }), "localhost"},
		{"custom scheme", with(func(a *fakespotify.App) { a.RedirectURIs = []string{"myapp://callback"} }), "scheme"},
		{"plain http off loopback", with(func(a *fakespotify.App) { a.RedirectURIs = []string{"http://example.com/cb"} }), "plain http"},
		{"fragment", with(func(a *fakespotify.App) { a.RedirectURIs = []string{"https://example.com/cb#x"} }), "fragment"},
		{"no redirect URIs", with(func(a *fakespotify.App) { a.RedirectURIs = nil }), "no RedirectURIs"},
		{"short client id", with(func(a *fakespotify.App) { a.ClientID = "abc" }), "32 hexadecimal"},
		{"non-hex client id", with(func(a *fakespotify.App) { a.ClientID = strings.Repeat("g", 32) }), "32 hexadecimal"},
		{"no secret", with(func(a *fakespotify.App) { a.ClientSecret = "" }), "no ClientSecret"},
		{"no name", with(func(a *fakespotify.App) { a.Name = "" }), "no Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fakespotify.New(fakespotify.Options{}).RegisterApp(tt.app)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), tt.app.ClientSecret) && tt.app.ClientSecret != "":
				t.Fatalf("error leaks the client secret: %v", err)
			}
		})
	}
}

func TestAuthorizeRejects(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	params := func(change func(url.Values)) url.Values {
		p := url.Values{
			"client_id": {testApp.ClientID}, "response_type": {"code"}, "redirect_uri": {anyPortRedirect},
			"scope": {"user-read-currently-playing"}, "state": {"s t&ate=1/é"},
		}
		change(p)
		return p
	}
	tests := []struct {
		name   string
		params url.Values
		// Either an error page (status 400, text) or a redirect with error.
		wantPage, wantError string
	}{
		{"unknown client", params(func(p url.Values) { p.Set("client_id", strings.Repeat("f", 32)) }), "INVALID_CLIENT: Invalid client", ""},
		{"missing client", params(func(p url.Values) { p.Del("client_id") }), "INVALID_CLIENT: Invalid client", ""},
		{"unregistered path", params(func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:5555/other") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"localhost", params(func(p url.Values) { p.Set("redirect_uri", "http://localhost:5555/callback") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"scheme differs", params(func(p url.Values) { p.Set("redirect_uri", "https://127.0.0.1:5555/callback") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"registered port is exact", params(func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:9999/fixed") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"https is exact", params(func(p url.Values) { p.Set("redirect_uri", "https://example.com:8443/cb") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"missing redirect", params(func(p url.Values) { p.Del("redirect_uri") }), "INVALID_CLIENT: Invalid redirect URI", ""},
		{"implicit grant", params(func(p url.Values) { p.Set("response_type", "token") }), "", "unsupported_response_type"},
		{"missing response_type", params(func(p url.Values) { p.Del("response_type") }), "", "unsupported_response_type"},
		{"plain PKCE", params(func(p url.Values) {
			p.Set("code_challenge", oauth2.GenerateVerifier()[:43])
			p.Set("code_challenge_method", "plain")
		}), "", "invalid_request"},
		{"challenge not S256-shaped", params(func(p url.Values) {
			p.Set("code_challenge", "short")
			p.Set("code_challenge_method", "S256")
		}), "", "invalid_request"},
		{"method without challenge", params(func(p url.Values) { p.Set("code_challenge_method", "S256") }), "", "invalid_request"},
		{"unknown scope", params(func(p url.Values) { p.Set("scope", "user-read-currently-playing user-read-everything") }), "", "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get("/authorize?"+tt.params.Encode(), nil)
			if tt.wantPage != "" {
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.wantPage) {
					t.Fatalf("got %d %q, want 400 page saying %q", resp.StatusCode, body, tt.wantPage)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Fatalf("Content-Type %q, want HTML", ct)
				}
				return
			}
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d, want a redirect carrying error=%s; body %s", resp.StatusCode, tt.wantError, body)
			}
			q := e.callback(resp, tt.params.Get("redirect_uri"))
			if q.Get("error") != tt.wantError || q.Get("code") != "" {
				t.Fatalf("callback query %v, want error=%s and no code", q, tt.wantError)
			}
			if q.Get("state") != tt.params.Get("state") {
				t.Fatalf("state %q, want it verbatim: %q", q.Get("state"), tt.params.Get("state"))
			}
		})
	}
}

func TestAuthorizeAcceptsRegisteredRedirects(t *testing.T) {
	e := newEnv(t, fakespotify.Options{AutoApprove: true})
	for _, uri := range []string{
		"http://127.0.0.1:5555/callback", "http://127.0.0.1:40001/callback", // port-less: any port
		"http://127.0.0.1/callback", "http://127.0.0.1:8888/fixed", "http://[::1]:5555/v6", "https://example.com/cb",
	} {
		q := e.authorize(url.Values{"client_id": {testApp.ClientID}, "response_type": {"code"}, "redirect_uri": {uri}})
		if q.Get("code") == "" || q.Has("state") {
			t.Errorf("%s: callback %v, want a code and no state (none was sent)", uri, q)
		}
	}
}

var (
	hiddenRequest = regexp.MustCompile(`<input type="hidden" name="request" value="([^"]+)">`)
	formAction    = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
)

func TestConsentPage(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	state := `x y&z=1/é"<`
	open := func() (action string, fields url.Values) {
		t.Helper()
		resp, body := e.get("/authorize?"+url.Values{
			"client_id": {testApp.ClientID}, "response_type": {"code"}, "redirect_uri": {anyPortRedirect},
			"scope": {"user-read-currently-playing user-read-email"}, "state": {state},
		}.Encode(), nil)
		page := string(body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("consent: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{
			`Test &lt;App&gt; &amp; &#34;Co&#34;`, "user-read-currently-playing", "Read your currently playing content",
			"user-read-email", `id="agree"`, `id="cancel"`, "Demo Listener",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("consent page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "<App>") {
			t.Error("app name is not HTML-escaped")
		}
		m, a := hiddenRequest.FindStringSubmatch(page), formAction.FindStringSubmatch(page)
		if m == nil || a == nil {
			t.Fatalf("no form with a hidden request field:\n%s", page)
		}
		return a[1], url.Values{"request": {m[1]}}
	}
	submit := func(action string, fields url.Values, decision string) *http.Response {
		t.Helper()
		fields = url.Values{"request": fields["request"], "decision": {decision}}
		resp, _ := e.postForm(action, fields, "", "")
		return resp
	}

	action, fields := open()
	resp := submit(action, fields, "agree")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("agree: status %d", resp.StatusCode)
	}
	q := e.callback(resp, anyPortRedirect)
	if q.Get("code") == "" || q.Get("state") != state {
		t.Fatalf("agree: callback %v, want a code and state %q", q, state)
	}
	if again := submit(action, fields, "agree"); again.StatusCode != http.StatusBadRequest {
		t.Fatalf("answering the same consent twice: %d, want 400", again.StatusCode)
	}
	tok, body := e.postForm("/api/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {anyPortRedirect},
	}, testApp.ClientID, testApp.ClientSecret)
	if tok.StatusCode != http.StatusOK || decode[tokenJSON](t, body).Scope == nil {
		t.Fatalf("exchanging the consented code: %d %s", tok.StatusCode, body)
	}

	action, fields = open()
	q = e.callback(submit(action, fields, "cancel"), anyPortRedirect)
	if q.Get("error") != "access_denied" || q.Get("state") != state || q.Has("code") {
		t.Fatalf("cancel: callback %v, want error=access_denied and the state", q)
	}

	action, fields = open()
	if resp := submit(action, fields, "maybe"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("decision=maybe: %d, want 400", resp.StatusCode)
	}
	e.clock.Advance(11 * time.Minute)
	if resp := submit(action, fields, "agree"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("agreeing to an 11-minute-old consent page: %d, want 400", resp.StatusCode)
	}
}

func TestGrantScopesNarrowsGrant(t *testing.T) {
	e := newEnv(t, fakespotify.Options{GrantScopes: func(req []string) []string { return req[:1] }})
	tok := e.userToken("user-read-email user-read-currently-playing")
	if *tok.Scope != "user-read-email" {
		t.Fatalf("scope %q, want only the granted user-read-email", *tok.Scope)
	}
}

func TestTokenErrors(t *testing.T) {
	otherApp := fakespotify.App{ClientID: strings.Repeat("ab", 16), ClientSecret: "other-secret", Name: "Other", RedirectURIs: []string{"http://127.0.0.1/callback"}}
	verifier := oauth2.GenerateVerifier()
	s256 := func(v string) string { // oauth2's S256, so the fake is checked against an independent implementation
		u, _ := url.Parse((&oauth2.Config{}).AuthCodeURL("", oauth2.S256ChallengeOption(v)))
		return u.Query().Get("code_challenge")
	}
	codeForm := func(code, redirect string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	}
	id, secret := testApp.ClientID, testApp.ClientSecret
	type request struct {
		form       url.Values
		user, pass string // Basic auth when user != ""
		json       bool   // send the form as a JSON body instead
	}
	tests := []struct {
		name            string
		setup           func(e *env) request
		wantErr, wantDe string
	}{
		{"missing grant_type", func(e *env) request {
			return request{form: url.Values{"client_id": {id}}, user: id, pass: secret}
		}, "unsupported_grant_type", "grant_type parameter is missing"},
		{"JSON body", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}}, user: id, pass: secret, json: true}
		}, "unsupported_grant_type", "grant_type parameter is missing"},
		{"unknown grant_type", func(e *env) request {
			return request{form: url.Values{"grant_type": {"password"}}, user: id, pass: secret}
		}, "unsupported_grant_type", "grant_type must be client_credentials, authorization_code or refresh_token"},
		{"unknown client in body", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}, "client_id": {strings.Repeat("f", 32)}, "client_secret": {secret}}}
		}, "invalid_client", "Invalid client"},
		{"unknown client in Basic", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}}, user: strings.Repeat("f", 32), pass: secret}
		}, "invalid_client", "Invalid client"},
		{"no client at all", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}}}
		}, "invalid_client", "Invalid client"},
		{"Basic and body name different clients", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}, "client_id": {otherApp.ClientID}}, user: id, pass: secret}
		}, "invalid_client", "Invalid client"},
		{"wrong secret in body", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"nope"}}}
		}, "invalid_client", "Invalid client secret"},
		{"wrong secret in Basic", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}}, user: id, pass: "nope"}
		}, "invalid_client", "Invalid client secret"},
		{"client_credentials without secret", func(e *env) request {
			return request{form: url.Values{"grant_type": {"client_credentials"}, "client_id": {id}}}
		}, "invalid_client", "client_secret required for client_credentials"},
		{"unknown code", func(e *env) request {
			return request{form: codeForm("AQnotacode", anyPortRedirect), user: id, pass: secret}
		}, "invalid_grant", "Invalid authorization code"},
		{"reused code", func(e *env) request {
			code := e.code(anyPortRedirect, "", "")
			if resp, body := e.postForm("/api/token", codeForm(code, anyPortRedirect), id, secret); resp.StatusCode != http.StatusOK {
				t.Fatalf("first exchange: %d %s", resp.StatusCode, body)
			}
			return request{form: codeForm(code, anyPortRedirect), user: id, pass: secret}
		}, "invalid_grant", "Invalid authorization code"},
		{"code of another client", func(e *env) request {
			if err := e.s.RegisterApp(otherApp); err != nil {
				t.Fatal(err)
			}
			q := e.authorize(url.Values{"client_id": {otherApp.ClientID}, "response_type": {"code"}, "redirect_uri": {anyPortRedirect}, "fake_auto_approve": {"1"}})
			return request{form: codeForm(q.Get("code"), anyPortRedirect), user: id, pass: secret}
		}, "invalid_grant", "Invalid authorization code"},
		{"expired code", func(e *env) request {
			code := e.code(anyPortRedirect, "", "")
			e.clock.Advance(10*time.Minute + time.Second)
			return request{form: codeForm(code, anyPortRedirect), user: id, pass: secret}
		}, "invalid_grant", "Authorization code expired"},
		{"redirect_uri differs (other port)", func(e *env) request {
			code := e.code(anyPortRedirect, "", "")
			return request{form: codeForm(code, "http://127.0.0.1:5556/callback"), user: id, pass: secret}
		}, "invalid_grant", "Invalid redirect URI"},
		{"redirect_uri missing", func(e *env) request {
			code := e.code(anyPortRedirect, "", "")
			return request{form: codeForm(code, ""), user: id, pass: secret}
		}, "invalid_grant", "Invalid redirect URI"},
		{"wrong code_verifier", func(e *env) request {
			f := codeForm(e.code(anyPortRedirect, "", s256(verifier)), anyPortRedirect)
			f.Set("client_id", id)
			f.Set("code_verifier", oauth2.GenerateVerifier())
			return request{form: f}
		}, "invalid_grant", "code_verifier was incorrect"},
		{"missing code_verifier", func(e *env) request {
			return request{form: codeForm(e.code(anyPortRedirect, "", s256(verifier)), anyPortRedirect), user: id, pass: secret}
		}, "invalid_grant", "code_verifier was incorrect"},
		{"malformed code_verifier", func(e *env) request {
			f := codeForm(e.code(anyPortRedirect, "", s256(verifier)), anyPortRedirect)
			f.Set("client_id", id)
			f.Set("code_verifier", "too-short")
			return request{form: f}
		}, "invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"},
		{"public client without PKCE", func(e *env) request {
			f := codeForm(e.code(anyPortRedirect, "", ""), anyPortRedirect)
			f.Set("client_id", id)
			return request{form: f}
		}, "invalid_request", "code_verifier required: a client without its secret must use PKCE"},
		{"verifier without challenge", func(e *env) request {
			f := codeForm(e.code(anyPortRedirect, "", ""), anyPortRedirect)
			f.Set("code_verifier", verifier)
			return request{form: f, user: id, pass: secret}
		}, "invalid_request", "code_verifier was sent but the authorization request had no code_challenge"},
		{"refresh without token", func(e *env) request {
			return request{form: url.Values{"grant_type": {"refresh_token"}}, user: id, pass: secret}
		}, "invalid_request", "refresh_token must be supplied"},
		{"unknown refresh token", func(e *env) request {
			return request{form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"AQnope"}}, user: id, pass: secret}
		}, "invalid_grant", "Refresh token revoked"},
		{"refresh after RevokeAll", func(e *env) request {
			rt := *e.userToken("").RefreshToken
			e.s.RevokeAll()
			return request{form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, user: id, pass: secret}
		}, "invalid_grant", "Refresh token revoked"},
		{"refresh token of another client", func(e *env) request {
			rt := *e.userToken("").RefreshToken
			if err := e.s.RegisterApp(otherApp); err != nil {
				t.Fatal(err)
			}
			return request{form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, user: otherApp.ClientID, pass: otherApp.ClientSecret}
		}, "invalid_grant", "Refresh token revoked"},
		{"confidential refresh without secret", func(e *env) request {
			rt := *e.userToken("").RefreshToken
			return request{form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {id}}}
		}, "invalid_client", "client_secret required: this refresh token was issued to a client that authenticated with its secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakespotify.Options{})
			r := tt.setup(e)
			var (
				resp *http.Response
				body []byte
			)
			if r.json {
				req, _ := http.NewRequest(http.MethodPost, e.base+"/api/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(r.user, r.pass)
				resp, body = e.do(req)
			} else {
				resp, body = e.postForm("/api/token", r.form, r.user, r.pass)
			}
			got := decode[oauthErrorJSON](t, body)
			if resp.StatusCode != http.StatusBadRequest || got.Error != tt.wantErr || got.Description != tt.wantDe {
				t.Fatalf("got %d %s\nwant 400 {%q %q}", resp.StatusCode, body, tt.wantErr, tt.wantDe)
			}
			if strings.Contains(string(body), secret) {
				t.Fatal("error body contains the client secret")
			}
		})
	}
}

func TestConfidentialFlowWithOAuth2(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(map[bool]string{false: "refresh returns the same token", true: "refresh omits the token"}[omit], func(t *testing.T) {
			e := newEnv(t, fakespotify.Options{OmitRefreshTokenOnRefresh: omit})
			cfg := &oauth2.Config{
				ClientID: testApp.ClientID, ClientSecret: testApp.ClientSecret, RedirectURL: anyPortRedirect,
				Scopes:   []string{"user-read-currently-playing", "user-read-email"},
				Endpoint: oauth2.Endpoint{AuthURL: e.base + "/authorize", TokenURL: e.base + "/api/token", AuthStyle: oauth2.AuthStyleInHeader},
			}
			resp, _ := e.get(strings.TrimPrefix(cfg.AuthCodeURL("st", oauth2.SetAuthURLParam("fake_auto_approve", "1")), e.base), nil)
			q := e.callback(resp, anyPortRedirect)
			if q.Get("state") != "st" {
				t.Fatalf("state %q", q.Get("state"))
			}
			tok, err := cfg.Exchange(t.Context(), q.Get("code"))
			if err != nil {
				t.Fatal(err)
			}
			if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 ||
				tok.Extra("scope") != "user-read-currently-playing user-read-email" {
				t.Fatalf("token %+v scope %v", tok, tok.Extra("scope"))
			}
			if kind, left, ok := e.s.AccessTokenValid(tok.AccessToken); !ok || kind != fakespotify.KindUser || left != time.Hour {
				t.Fatalf("AccessTokenValid = %q %v %v", kind, left, ok)
			}
			last := e.s.Requests()[len(e.s.Requests())-1]
			if last.Path != "/api/token" || last.Auth != "Basic" || last.Form.Has("client_secret") || last.Status != http.StatusOK {
				t.Fatalf("logged token request %+v", last)
			}

			resp, body := e.postForm("/api/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}},
				testApp.ClientID, testApp.ClientSecret)
			refreshed := decode[tokenJSON](t, body)
			if resp.StatusCode != http.StatusOK || refreshed.AccessToken == tok.AccessToken || *refreshed.Scope != "user-read-currently-playing user-read-email" {
				t.Fatalf("refresh: %d %s", resp.StatusCode, body)
			}
			if omit != (refreshed.RefreshToken == nil) || !omit && *refreshed.RefreshToken != tok.RefreshToken {
				t.Fatalf("refresh_token in response: %v, want omitted=%v or the same token", refreshed.RefreshToken, omit)
			}
			if !e.s.RefreshTokenValid(tok.RefreshToken) {
				t.Fatal("a confidential refresh revoked the refresh token")
			}
		})
	}
}

func TestPKCEFlowRotatesRefreshTokens(t *testing.T) {
	e := newEnv(t, fakespotify.Options{})
	cfg := &oauth2.Config{
		ClientID: testApp.ClientID, RedirectURL: "http://127.0.0.1:40123/callback", Scopes: []string{"user-read-playback-state"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/authorize", TokenURL: e.base + "/api/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	verifier := oauth2.GenerateVerifier()
	resp, _ := e.get(strings.TrimPrefix(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("fake_auto_approve", "1")), e.base), nil)
	code := e.callback(resp, cfg.RedirectURL).Get("code")
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		return cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: rt}).Token()
	}
	next, err := refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("PKCE refresh returned refresh token %q, want a new one", next.RefreshToken)
	}
	if e.s.RefreshTokenValid(tok.RefreshToken) || !e.s.RefreshTokenValid(next.RefreshToken) {
		t.Fatal("rotation must revoke the old refresh token and keep the new one")
	}
	_, err = refresh(tok.RefreshToken)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.ErrorDescription != "Refresh token revoked" {
		t.Fatalf("reusing a rotated refresh token: %v, want invalid_grant Refresh token revoked", err)
	}

	// Concurrent refreshes of one rotating token: exactly one may win.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners int
	)
	for range 8 {
		wg.Go(func() {
			if _, err := refresh(next.RefreshToken); err == nil {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d concurrent refreshes of one token succeeded, want 1", winners)
	}
}

func TestClientCredentials(t *testing.T) {
	e := newEnv(t, fakespotify.Options{TokenLifetime: 90 * time.Second})
	cc := clientcredentials.Config{ClientID: testApp.ClientID, ClientSecret: testApp.ClientSecret, TokenURL: e.base + "/api/token"}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" || tok.Extra("scope") != nil || tok.Extra("expires_in") != float64(90) {
		t.Fatalf("app token %+v, scope %v: want no refresh token, no scope, 90 s", tok, tok.Extra("scope"))
	}
	kind, left, ok := e.s.AccessTokenValid(tok.AccessToken)
	if !ok || kind != fakespotify.KindApp || left != 90*time.Second {
		t.Fatalf("AccessTokenValid = %q %v %v", kind, left, ok)
	}
	track := fakespotify.DemoQueue()[0]
	resp, body := e.get("/v1/tracks/"+track.ID, bearer(tok.AccessToken))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"`+track.Name+`"`) {
		t.Fatalf("track with an app token: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/v1/me", "/v1/me/player/currently-playing"} {
		resp, body := e.get(path, bearer(tok.AccessToken))
		if got := decode[apiErrorJSON](t, body); resp.StatusCode != http.StatusForbidden || got.Error.Message != "Insufficient client scope" {
			t.Errorf("%s with an app token: %d %s, want 403 Insufficient client scope", path, resp.StatusCode, body)
		}
	}
}
