package fakespotify

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token kinds reported by AccessTokenValid.
const (
	KindUser = "user" // from the authorization code flow (with or without PKCE)
	KindApp  = "app"  // from client credentials: no user, no scopes
)

type accessGrant struct {
	kind     string
	clientID string
	scopes   []string
	user     User
	expires  time.Time
}

type refreshGrant struct {
	clientID string
	scopes   []string
	user     User
	// public grants came from a client that did not authenticate with its
	// secret (PKCE); Spotify rotates their refresh tokens on every use.
	public bool
}

// client is the result of authenticating a token request.
type client struct {
	app        App
	withSecret bool
}

type tokenResponse struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    int     `json:"expires_in"`
	RefreshToken string  `json:"refresh_token,omitempty"`
	Scope        *string `json:"scope,omitempty"` // user tokens only, "" when none granted
}

// oauthError is an error answer of /api/token; Spotify uses 400 for all of them.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	// Only the form body counts: a JSON body or query parameters leave
	// grant_type missing, exactly as on Spotify.
	form := r.PostForm
	grant := form.Get("grant_type")
	switch grant {
	case "":
		writeOAuthError(w, oauthError{"unsupported_grant_type", "grant_type parameter is missing"})
		return
	case "authorization_code", "refresh_token", "client_credentials":
	default:
		writeOAuthError(w, oauthError{"unsupported_grant_type", "grant_type must be client_credentials, authorization_code or refresh_token"})
		return
	}
	c, oerr := s.authenticate(r)
	if oerr != nil {
		writeOAuthError(w, *oerr)
		return
	}
	var (
		resp tokenResponse
		err  *oauthError
	)
	switch grant {
	case "authorization_code":
		resp, err = s.exchangeCode(c, form)
	case "refresh_token":
		resp, err = s.refreshToken(c, form.Get("refresh_token"))
	case "client_credentials":
		resp, err = s.clientCredentials(c)
	}
	if err != nil {
		writeOAuthError(w, *err)
		return
	}
	// From here the grant is done (a PKCE refresh token has rotated): what the client does not
	// read now is lost to it, as on Spotify.
	s.tokensIssued(grant)
	if !s.holdAnswer(r) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// authenticate accepts HTTP Basic (client_id:secret, form-encoded as RFC
// 6749 §2.3.1 says) or client_id and optional client_secret in the body.
func (s *Server) authenticate(r *http.Request) (client, *oauthError) {
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	withSecret := basic
	if basic {
		id, secret = formUnescape(id), formUnescape(secret)
		if bodyID := form.Get("client_id"); bodyID != "" && bodyID != id {
			return client{}, &oauthError{"invalid_client", "Invalid client"}
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
		withSecret = form.Has("client_secret")
	}
	app, ok := s.app(id)
	if !ok {
		return client{}, &oauthError{"invalid_client", "Invalid client"}
	}
	if withSecret && subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return client{}, &oauthError{"invalid_client", "Invalid client secret"}
	}
	return client{app: app, withSecret: withSecret}, nil
}

func formUnescape(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

func (s *Server) exchangeCode(c client, form url.Values) (tokenResponse, *oauthError) {
	s.mu.Lock()
	code, ok := s.codes[form.Get("code")]
	delete(s.codes, form.Get("code")) // single use, even if this attempt fails
	s.mu.Unlock()
	verifier := form.Get("code_verifier")
	switch {
	case !ok || code.clientID != c.app.ClientID:
		return tokenResponse{}, &oauthError{"invalid_grant", "Invalid authorization code"}
	case s.now().Sub(code.issued) > codeLifetime:
		return tokenResponse{}, &oauthError{"invalid_grant", "Authorization code expired"}
	case form.Get("redirect_uri") != code.redirectURI:
		return tokenResponse{}, &oauthError{"invalid_grant", "Invalid redirect URI"}
	case code.challenge == "" && verifier != "":
		return tokenResponse{}, &oauthError{"invalid_request", "code_verifier was sent but the authorization request had no code_challenge"}
	case code.challenge == "" && !c.withSecret:
		return tokenResponse{}, &oauthError{"invalid_request", "code_verifier required: a client without its secret must use PKCE"}
	case code.challenge != "" && verifier != "" && !isVerifier(verifier):
		return tokenResponse{}, &oauthError{"invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"}
	case code.challenge != "" && s256(verifier) != code.challenge:
		return tokenResponse{}, &oauthError{"invalid_grant", "code_verifier was incorrect"}
	}
	rt := randomToken("AQ", 96)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[rt] = refreshGrant{clientID: c.app.ClientID, scopes: code.scopes, user: code.user, public: !c.withSecret}
	resp := s.issueLocked(KindUser, c.app.ClientID, code.scopes, code.user)
	resp.RefreshToken = rt
	return resp, nil
}

func (s *Server) refreshToken(c client, rt string) (tokenResponse, *oauthError) {
	if rt == "" {
		return tokenResponse{}, &oauthError{"invalid_request", "refresh_token must be supplied"}
	}
	// One critical section, so that of two concurrent refreshes of a rotating
	// token exactly one wins, as on Spotify.
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[rt]
	switch {
	case !ok || g.clientID != c.app.ClientID:
		return tokenResponse{}, &oauthError{"invalid_grant", "Refresh token revoked"}
	case !g.public && !c.withSecret:
		return tokenResponse{}, &oauthError{"invalid_client", "client_secret required: this refresh token was issued to a client that authenticated with its secret"}
	}
	resp := s.issueLocked(KindUser, g.clientID, g.scopes, g.user)
	switch {
	case g.public:
		delete(s.refresh, rt)
		resp.RefreshToken = randomToken("AQ", 96)
		s.refresh[resp.RefreshToken] = g
	case !s.opts.OmitRefreshTokenOnRefresh:
		resp.RefreshToken = rt
	}
	return resp, nil
}

func (s *Server) clientCredentials(c client) (tokenResponse, *oauthError) {
	if !c.withSecret {
		return tokenResponse{}, &oauthError{"invalid_client", "client_secret required for client_credentials"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(KindApp, c.app.ClientID, nil, User{}), nil
}

// issueLocked creates an access token and the response carrying it.
func (s *Server) issueLocked(kind, clientID string, scopes []string, user User) tokenResponse {
	now := s.now()
	// Expired tokens are kept for a while so they answer "The access token
	// expired" rather than "Invalid access token", then forgotten.
	for at, g := range s.access {
		if now.Sub(g.expires) > 24*time.Hour {
			delete(s.access, at)
		}
	}
	at := randomToken("BQ", 120)
	s.access[at] = accessGrant{kind: kind, clientID: clientID, scopes: scopes, user: user, expires: now.Add(s.lifetime)}
	resp := tokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int(s.lifetime / time.Second)}
	if kind == KindUser {
		scope := strings.Join(scopes, " ")
		resp.Scope = &scope
	}
	return resp
}

// RevokeAll invalidates every refresh and access token, as when the user
// removes the app's access on their account page.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
	clear(s.access)
}

// RefreshTokenValid reports whether rt would be accepted by /api/token.
func (s *Server) RefreshTokenValid(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refresh[rt]
	return ok
}

// AccessTokenValid reports whether the Web API would accept at, whether it
// is a user or an app token (KindUser, KindApp), and how long it has left.
func (s *Server) AccessTokenValid(at string) (kind string, remaining time.Duration, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, found := s.access[at]
	remaining = g.expires.Sub(s.now())
	if !found || remaining <= 0 {
		return "", 0, false
	}
	return g.kind, remaining, true
}

func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// isVerifier checks RFC 7636 §4.1: 43–128 unreserved characters.
func isVerifier(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && onlyChars(v, "-._~")
}

// isS256Challenge checks the shape of BASE64URL(SHA256(verifier)).
func isS256Challenge(c string) bool {
	return len(c) == 43 && onlyChars(c, "-_")
}

func onlyChars(v, extra string) bool {
	for _, r := range v {
		alnum := 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
		if !alnum && !strings.ContainsRune(extra, r) {
			return false
		}
	}
	return true
}

func writeOAuthError(w http.ResponseWriter, e oauthError) {
	writeJSON(w, http.StatusBadRequest, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "fakespotify: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
