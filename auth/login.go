package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/local"
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
	// Pasted, when set, is read line by line for redirected addresses the user pastes: on a
	// headless machine the browser runs elsewhere, and the redirect to 127.0.0.1 reaches nothing.
	// A pasted address is checked exactly like a request to the loopback server.
	Pasted io.Reader
	// OnPasteRejected is told, in a sentence for the user, why a pasted line was not accepted;
	// the login keeps waiting.
	OnPasteRejected func(msg string)
	// BeforeSave runs after Spotify accepted the code and before the tokens are stored, so that
	// the caller can save the settings and secret the login used only once it succeeded. An
	// error ends the login with the tokens not stored.
	BeforeSave func() error
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
		desc := CleanServerText(q.Get("error_description"))
		if desc != "" {
			desc = ": " + desc
		}
		return "", fmt.Errorf("login refused by Spotify (%s%s)", CleanServerText(e), desc)
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
	redirect, ferr := local.ParseRedirectURI(m.cfg.RedirectURI)
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

	flow := &callbackFlow{m: m, ctx: ctx, state: state, oc: oc, exchangeOpts: exchangeOpts,
		beforeSave: opts.BeforeSave, done: make(chan loginOutcome, 1)}
	srv := &http.Server{
		Handler:           flow.handler(redirect),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed after Shutdown below.
	defer func() {
		shutdownCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		srv.Shutdown(shutdownCtx) //nolint:errcheck // best effort: the flow is over either way.
	}()
	if opts.Pasted != nil {
		go flow.readPasted(opts.Pasted, redirect.Path, opts.OnPasteRejected)
	}

	if opts.OnAuthorizeURL != nil {
		opts.OnAuthorizeURL(authURL)
	}
	if opts.OpenBrowser != nil {
		if err := opts.OpenBrowser(authURL); err != nil {
			return nil, fmt.Errorf("could not open a browser (%v): open this URL yourself: %s", err, authURL)
		}
	}

	select {
	case out := <-flow.done:
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

// callbackFlow receives the answer of one login, from the loopback server or pasted. Answers
// are handled one at a time: codes are single-use and the first valid answer (code or error)
// ends the flow; stray requests and answers with the wrong state do not.
type callbackFlow struct {
	m            *Manager
	ctx          context.Context
	state        string
	oc           *oauth2.Config
	exchangeOpts []oauth2.AuthCodeOption
	beforeSave   func() error
	done         chan loginOutcome

	mu       sync.Mutex
	finished bool
}

// errLoginFinished answers a request that comes after the flow ended.
var errLoginFinished = &callbackError{"This login is over. Return to tokentray."}

// answer handles one redirect's query. A *callbackError means "ignore it and keep waiting";
// otherwise the flow has ended with the returned error (nil: logged in). exchanged tells whether
// the answer got as far as the code exchange (a refusal in the redirect itself did not).
func (f *callbackFlow) answer(q url.Values) (exchanged bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished {
		return false, errLoginFinished
	}
	code, err := parseCallback(q, f.state)
	var stray *callbackError
	if errors.As(err, &stray) {
		return false, err
	}
	var tok *UserToken
	if err == nil {
		exchanged = true
		tok, err = f.m.exchange(f.ctx, f.oc, code, f.exchangeOpts, f.beforeSave)
	}
	f.finished = true
	f.done <- loginOutcome{token: tok, err: err}
	return exchanged, err
}

// handler serves the redirect path only.
func (f *callbackFlow) handler(redirect local.RedirectURI) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != redirect.Path {
			http.NotFound(w, r)
			return
		}
		if !isHost(r.Host, redirect.Host) {
			// A page the browser reached through another name (DNS rebinding) is not Spotify's redirect.
			http.Error(w, "tokentray: wrong Host header for the login callback", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		exchanged, err := f.answer(r.URL.Query())
		var stray *callbackError
		switch {
		case err == nil:
			renderPage(w, http.StatusOK, "Logged in", "tokentray has your Spotify authorization. You can close this tab.")
		case err == errLoginFinished:
			renderPage(w, http.StatusGone, "Login already finished", errLoginFinished.msg)
		case errors.As(err, &stray):
			renderPage(w, http.StatusBadRequest, "Not the login tokentray is waiting for", stray.msg)
		case !exchanged:
			renderPage(w, http.StatusOK, "Login not completed", err.Error())
		default:
			renderPage(w, http.StatusBadGateway, "Login failed", err.Error())
		}
	})
}

// isHost reports whether a request's Host header names the loopback address the server
// listens on (any port: the server's own port is the only one that reaches it).
func isHost(header, host string) bool {
	name, _, err := net.SplitHostPort(header)
	if err != nil {
		name = strings.Trim(header, "[]")
	}
	return name == host
}

// readPasted feeds pasted addresses to the flow until it ends or the input does.
func (f *callbackFlow) readPasted(in io.Reader, path string, rejected func(string)) {
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if line == "" {
			continue
		}
		q, err := pastedQuery(line, path)
		if err == nil {
			_, err = f.answer(q)
		}
		var stray *callbackError
		if err == errLoginFinished || !errors.As(err, &stray) {
			return // logged in, or the flow ended with an error Login reports
		}
		if rejected != nil {
			rejected(stray.msg)
		}
	}
}

// pastedQuery extracts the query of a pasted redirect address; a *callbackError says what is
// wrong with it.
func pastedQuery(line, path string) (url.Values, error) {
	const fix = "paste the whole address your browser shows after you pressed Agree (it starts with http://127.0.0.1 and holds code= and state=)"
	u, err := url.Parse(line)
	if err != nil || u.RawQuery == "" {
		return nil, &callbackError{"That is not a redirect address: " + fix + "."}
	}
	if u.Path != "" && u.Path != path {
		return nil, &callbackError{fmt.Sprintf("That address goes to %s, not to the callback %s: %s.", CleanServerText(u.Path), path, fix)}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &callbackError{"That address is garbled: " + fix + "."}
	}
	return q, nil
}

// exchange trades the code for tokens and persists them before anyone can use them.
// beforeSave (may be nil) runs between the two; its error stores nothing.
func (m *Manager) exchange(ctx context.Context, oc *oauth2.Config, code string, opts []oauth2.AuthCodeOption, beforeSave func() error) (*UserToken, error) {
	tok, err := oc.Exchange(m.cfg.withHTTPClient(ctx), code, opts...)
	if err != nil {
		return nil, describeTokenError(ctx, "exchanging the authorization code", err)
	}
	now := m.now()
	ut := &UserToken{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       m.expiryOf(tok),
		Scope:        scopeOf(tok),
		AuthorizedAt: now,
		ClientID:     m.cfg.ClientID,
	}
	if ut.RefreshToken == "" {
		return nil, &badAnswerError{op: "exchanging the authorization code", detail: "no refresh token"}
	}
	if beforeSave != nil {
		if err := beforeSave(); err != nil {
			return nil, err
		}
	}
	if err := m.storeUserToken(ut); err != nil {
		return nil, err
	}
	m.wakeKeeper()
	return ut, nil
}

func listenLoopback(r local.RedirectURI) (net.Listener, error) {
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
		problem, r.WithPort(r.Port+1), local.RedirectURI{Host: r.Host, Path: r.Path})
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
