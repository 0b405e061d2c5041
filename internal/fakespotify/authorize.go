package fakespotify

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authRequest is a validated /authorize request waiting for the user.
type authRequest struct {
	clientID    string
	redirectURI string
	state       string
	hasState    bool
	challenge   string
	scopes      []string
	created     time.Time
}

// authCode is what an authorization code stands for until it is exchanged.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	scopes      []string
	user        User
	issued      time.Time
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	app, ok := s.app(q.Get("client_id"))
	if !ok {
		errorPage(w, http.StatusBadRequest, "INVALID_CLIENT: Invalid client")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !app.allowsRedirect(redirectURI) {
		errorPage(w, http.StatusBadRequest, "INVALID_CLIENT: Invalid redirect URI")
		return
	}
	req := authRequest{
		clientID:    app.ClientID,
		redirectURI: redirectURI,
		state:       q.Get("state"),
		hasState:    q.Has("state"),
		challenge:   q.Get("code_challenge"),
		scopes:      dedupe(strings.Fields(q.Get("scope"))),
		created:     s.now(),
	}
	// From here on the redirect URI is trusted, so errors go back to the
	// client as RFC 6749 §4.1.2.1 asks.
	fail := func(code, description string) {
		req.redirect(w, r, url.Values{"error": {code}, "error_description": {description}})
	}
	switch rt := q.Get("response_type"); {
	case rt == "token":
		fail("unsupported_response_type", "the implicit grant (response_type=token) is no longer supported; use response_type=code")
		return
	case rt != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	method := q.Get("code_challenge_method")
	switch {
	case req.challenge != "" && method != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case req.challenge == "" && method != "":
		fail("invalid_request", "code_challenge_method was sent without code_challenge")
		return
	case req.challenge != "" && !isS256Challenge(req.challenge):
		fail("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code_verifier")
		return
	}
	for _, sc := range req.scopes {
		if _, ok := knownScopes[sc]; !ok {
			fail("invalid_scope", "unknown scope: "+sc)
			return
		}
	}
	if s.opts.AutoApprove || q.Get("fake_auto_approve") == "1" {
		s.approve(w, r, req)
		return
	}
	s.mu.Lock()
	id := randomToken("", 18)
	s.pruneLocked()
	s.pending[id] = req
	user := s.user
	s.mu.Unlock()
	consent(w, app, user, req.scopes, id)
}

// handleDecision receives the consent form. The request id in the hidden
// field is the only thing trusted from the browser.
func (s *Server) handleDecision(w http.ResponseWriter, r *http.Request) {
	decision := r.PostFormValue("decision")
	if decision != "agree" && decision != "cancel" {
		errorPage(w, http.StatusBadRequest, "INVALID_REQUEST: the form must send decision=agree or decision=cancel")
		return
	}
	s.mu.Lock()
	req, ok := s.pending[r.PostFormValue("request")]
	delete(s.pending, r.PostFormValue("request"))
	s.mu.Unlock()
	if !ok || s.now().Sub(req.created) > codeLifetime {
		errorPage(w, http.StatusBadRequest, "INVALID_REQUEST: this authorization request expired or was already answered; start the login again")
		return
	}
	if decision == "cancel" {
		req.redirect(w, r, url.Values{"error": {"access_denied"}})
		return
	}
	s.approve(w, r, req)
}

// approve issues a code for req and sends the browser back to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req authRequest) {
	granted := req.scopes
	if s.opts.GrantScopes != nil {
		granted = dedupe(s.opts.GrantScopes(slices.Clone(req.scopes)))
	}
	s.mu.Lock()
	code := randomToken("AQ", 96)
	s.pruneLocked()
	s.codes[code] = authCode{
		clientID:    req.clientID,
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		scopes:      granted,
		user:        s.user,
		issued:      s.now(),
	}
	s.mu.Unlock()
	req.redirect(w, r, url.Values{"code": {code}})
}

// redirect sends the browser to the request's redirect URI with params and
// the state exactly as the client sent it (Spotify does not interpret it).
func (req authRequest) redirect(w http.ResponseWriter, r *http.Request, params url.Values) {
	u, err := url.Parse(req.redirectURI)
	if err != nil { // allowsRedirect parsed it already
		errorPage(w, http.StatusBadRequest, "INVALID_CLIENT: Invalid redirect URI")
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if req.hasState {
		q.Set("state", req.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// pruneLocked forgets consent pages and codes nobody can use any more, so a
// long demo session does not grow without bound.
func (s *Server) pruneLocked() {
	now := s.now()
	for id, req := range s.pending {
		if now.Sub(req.created) > codeLifetime {
			delete(s.pending, id)
		}
	}
	for code, c := range s.codes {
		if now.Sub(c.issued) > codeLifetime {
			delete(s.codes, code)
		}
	}
}

func dedupe(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}} – Fake Spotify</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;background:#121212;color:#eee;margin:0}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#1e1e1e;border-radius:8px}
h1{font-size:1.3rem}small,dd{color:#aaa}dd{margin:0 0 .6rem}
button{font:inherit;padding:.6rem 1.6rem;border-radius:2rem;border:0;margin-right:.5rem;cursor:pointer}
#agree{background:#1db954;color:#000}#cancel{background:transparent;color:#eee;border:1px solid #777}
</style></head><body><main>{{end}}

{{define "consent"}}{{template "head" (printf "Authorize %s" .App)}}
<h1>Allow <strong>{{.App}}</strong> to access your account?</h1>
<p><small>Logged in as {{.User}}. This is tokentray's fake Spotify; nothing leaves this computer.</small></p>
{{if .Scopes}}<p>{{.App}} asks to:</p><dl>{{range .Scopes}}
<dt><code>{{.Name}}</code></dt><dd>{{.Description}}</dd>{{end}}</dl>
{{else}}<p>{{.App}} asks only for your public profile.</p>{{end}}
<form method="post" action="/authorize/decision">
<input type="hidden" name="request" value="{{.Request}}">
<button id="agree" type="submit" name="decision" value="agree">Agree</button>
<button id="cancel" type="submit" name="decision" value="cancel">Cancel</button>
</form></main></body></html>
{{end}}

{{define "error"}}{{template "head" "Error"}}
<h1>Something went wrong</h1><p id="error">{{.}}</p></main></body></html>
{{end}}`))

type scopeLine struct{ Name, Description string }

func consent(w http.ResponseWriter, app App, user User, scopes []string, requestID string) {
	lines := make([]scopeLine, len(scopes))
	for i, sc := range scopes {
		lines[i] = scopeLine{sc, knownScopes[sc]}
	}
	render(w, http.StatusOK, "consent", map[string]any{
		"App": app.Name, "User": user.DisplayName, "Scopes": lines, "Request": requestID,
	})
}

// errorPage is what Spotify shows the browser when it cannot trust the
// redirect URI enough to send an error back to the client.
func errorPage(w http.ResponseWriter, status int, message string) {
	render(w, status, "error", message)
}

func render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "fakespotify: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
