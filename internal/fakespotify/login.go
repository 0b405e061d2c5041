package fakespotify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// LogIn runs the authorization-code flow against the fake at baseURL for app, approving the
// consent page on the user's behalf, and returns a user access token with scopes. It speaks
// only the public protocol, so tests and benchmarks of Web API clients can get a real token from
// a fake running anywhere. The first of app.RedirectURIs is used; nobody needs to listen on it.
func LogIn(ctx context.Context, baseURL string, app App, scopes ...string) (string, error) {
	if len(app.RedirectURIs) == 0 {
		return "", fmt.Errorf("fakespotify: app %s has no redirect URI to log in with", app.ClientID)
	}
	redirect := app.RedirectURIs[0]
	q := url.Values{"client_id": {app.ClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {strings.Join(scopes, " ")}, "fake_auto_approve": {"1"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/authorize?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("fakespotify: log in: %w", err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		return "", fmt.Errorf("fakespotify: log in: %w", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	code := ""
	if err == nil {
		code = loc.Query().Get("code")
	}
	if resp.StatusCode != http.StatusFound || code == "" {
		return "", fmt.Errorf("fakespotify: log in: /authorize answered %d redirecting to %q, want a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("fakespotify: log in: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("fakespotify: log in: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("fakespotify: log in: /api/token answered %d (%v)", resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

// StartLoggedIn starts a fake on a loopback port with app registered, logs in with scopes, and
// returns the fake, its base URL and the user access token: the usual start of a test of a Web
// API client. The caller closes the fake.
func StartLoggedIn(ctx context.Context, o Options, app App, scopes ...string) (srv *Server, baseURL, accessToken string, err error) {
	srv = New(o)
	if err := srv.RegisterApp(app); err != nil {
		return nil, "", "", err
	}
	if baseURL, err = srv.Start("127.0.0.1:0"); err != nil {
		return nil, "", "", err
	}
	if accessToken, err = LogIn(ctx, baseURL, app, scopes...); err != nil {
		_ = srv.Close()
		return nil, "", "", err
	}
	return srv, baseURL, accessToken, nil
}
