package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// DefaultLoginTimeout bounds how long the loopback server waits for the browser.
const DefaultLoginTimeout = 5 * time.Minute

// ErrAccessDenied means the user pressed Cancel on Spotify's consent page.
var ErrAccessDenied = errors.New("access denied: you pressed Cancel on Spotify's consent page; log in again and choose Agree")

// ErrLoginTimeout means the browser never came back to the loopback server.
var ErrLoginTimeout = errors.New("login timed out: the browser never returned to tokentray; check that the redirect URI registered in the Spotify dashboard matches exactly, then try again")

// LoginOptions controls one interactive login.
type LoginOptions struct {
	// OpenBrowser opens the authorize URL; nil means the caller shows the URL itself.
	OpenBrowser func(url string) error
	// OnAuthorizeURL is called once the loopback server listens, with the URL to open.
	OnAuthorizeURL func(url string)
	Timeout        time.Duration // 0 means DefaultLoginTimeout
}

// callbackError is a callback that is not for us (wrong state) or malformed: the flow keeps
// waiting, because a stray or forged request must not end the user's login.
type callbackError struct{ msg string }

func (e *callbackError) Error() string { return e.msg }

// parseCallback checks a redirect's query against the expected state and returns the code.
// A *callbackError means "ignore this request and keep waiting"; any other error ends the flow.
func parseCallback(q url.Values, wantState string) (string, error) {
	got := q.Get("state")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(wantState)) != 1 {
		return "", &callbackError{"This answer does not belong to the login tokentray started (missing or wrong state). " +
			"If you started a new login since, finish it in its own browser tab; otherwise start the login again."}
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return "", ErrAccessDenied
		}
		desc := q.Get("error_description")
		if desc != "" {
			desc = ": " + desc
		}
		return "", fmt.Errorf("login refused by Spotify (%s%s)", e, desc)
	}
	code := q.Get("code")
	if code == "" {
		return "", &callbackError{"The answer carries neither a code nor an error. Start the login again."}
	}
	return code, nil
}

// Login runs the Authorization Code flow (PKCE when no client secret is configured) through a
// loopback server on 127.0.0.1, stores the result and returns it. Only this function writes a
// fresh authorization; it replaces whatever was stored.
func (m *Manager) Login(ctx context.Context, opts LoginOptions) (*UserToken, error) {
	redirect, ferr := ParseRedirectURI(m.cfg.RedirectURI)
	if ferr != nil {
		return nil, ferr
	}
	ln, err := listenLoopback(redirect)
	if err != nil {
		return nil, err
	}
	redirectURL := redirect.WithPort(ln.Addr().(*net.TCPAddr).Port)

	state, err := randomState()
	if err != nil {
		ln.Close()
		return nil, err
	}
	oc := m.cfg.oauth2(redirectURL)
	var authOpts, exchangeOpts []oauth2.AuthCodeOption
	if m.cfg.UsesPKCE() {
		verifier := oauth2.GenerateVerifier()
		authOpts = append(authOpts, oauth2.S256ChallengeOption(verifier))
		exchangeOpts = append(exchangeOpts, oauth2.VerifierOption(verifier))
	}
	authURL := oc.AuthCodeURL(state, authOpts...)

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	done := make(chan loginOutcome, 1)
	srv := &http.Server{
		Handler:           m.callbackHandler(ctx, redirect.Path, state, oc, exchangeOpts, done),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed after Shutdown below.
	defer func() {
		shutdownCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		srv.Shutdown(shutdownCtx) //nolint:errcheck // best effort: the flow is over either way.
	}()

	if opts.OnAuthorizeURL != nil {
		opts.OnAuthorizeURL(authURL)
	}
	if opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(authURL); err != nil {
			return nil, fmt.Errorf("could not open a browser (%v): open this URL yourself: %s", err, authURL)
		}
	}

	select {
	case out := <-done:
		return out.token, out.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrLoginTimeout
		}
		return nil, ctx.Err()
	}
}

type loginOutcome struct {
	token *UserToken
	err   error
}

// callbackHandler serves the redirect path only. The first valid answer (code or error) ends the
// flow; stray requests such as /favicon.ico and answers with the wrong state do not.
func (m *Manager) callbackHandler(ctx context.Context, path, state string, oc *oauth2.Config,
	exchangeOpts []oauth2.AuthCodeOption, done chan<- loginOutcome) http.Handler {
	// Requests are handled one at a time: codes are single-use and the first answer wins.
	var mu sync.Mutex
	finished := false
	finish := func(out loginOutcome) {
		finished = true
		done <- out
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if finished {
			renderPage(w, http.StatusGone, "Login already finished", "This login is over. Return to tokentray.")
			return
		}
		code, err := parseCallback(r.URL.Query(), state)
		var stray *callbackError
		if errors.As(err, &stray) {
			renderPage(w, http.StatusBadRequest, "Not the login tokentray is waiting for", stray.msg)
			return
		}
		if err != nil {
			finish(loginOutcome{err: err})
			renderPage(w, http.StatusOK, "Login not completed", err.Error())
			return
		}
		tok, err := m.exchange(ctx, oc, code, exchangeOpts)
		if err != nil {
			finish(loginOutcome{err: err})
			renderPage(w, http.StatusBadGateway, "Login failed", err.Error())
			return
		}
		finish(loginOutcome{token: tok})
		renderPage(w, http.StatusOK, "Logged in", "tokentray has your Spotify authorization. You can close this tab.")
	})
}

// exchange trades the code for tokens and persists them before anyone can use them.
func (m *Manager) exchange(ctx context.Context, oc *oauth2.Config, code string, opts []oauth2.AuthCodeOption) (*UserToken, error) {
	tok, err := oc.Exchange(m.cfg.withHTTPClient(ctx), code, opts...)
	if err != nil {
		return nil, describeTokenError("exchanging the authorization code", err)
	}
	now := m.now()
	ut := &UserToken{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       expiryOf(tok, now),
		Scope:        scopeOf(tok),
		AuthorizedAt: now,
		ClientID:     m.cfg.ClientID,
	}
	if ut.RefreshToken == "" {
		return nil, errors.New("the login answer from Spotify holds no refresh token; log in again")
	}
	if err := m.storeUserToken(ut); err != nil {
		return nil, err
	}
	m.wakeKeeper()
	return ut, nil
}

func listenLoopback(r RedirectURI) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(r.Host, strconv.Itoa(r.Port)))
	if err == nil {
		return ln, nil
	}
	problem := fmt.Sprintf("cannot listen for the login callback on %s port %d (%v)", r.Host, r.Port, err)
	if errors.Is(err, syscall.EADDRINUSE) {
		problem = fmt.Sprintf("port %d on %s is in use by another program (or another tokentray login)", r.Port, r.Host)
	}
	return nil, fmt.Errorf("%s: close it, or change the redirect URI to another port such as %s and register that "+
		"exact URI in the Spotify dashboard; a URI registered without a port (%s) lets tokentray pick a free port",
		problem, r.WithPort(r.Port+1), RedirectURI{Host: r.Host, Path: r.Path})
}

func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating the login state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tokentray: {{.Title}}</title>
<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p></body></html>
`))

// renderPage writes a small HTML page; html/template escapes whatever Spotify or a stray
// request put into the message.
func renderPage(w http.ResponseWriter, status int, title, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	pageTemplate.Execute(w, struct{ Title, Message string }{title, message}) //nolint:errcheck // the browser went away.
}
