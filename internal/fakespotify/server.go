package fakespotify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultTokenLifetime is how long access tokens live unless configured
// otherwise; it is what Spotify issues.
const DefaultTokenLifetime = time.Hour

// codeLifetime bounds both authorization codes and unanswered consent pages,
// like Spotify's ten-minute code expiry.
const codeLifetime = 10 * time.Minute

// Options configure a Server. The zero value behaves like Spotify.
type Options struct {
	// Now is the clock (default time.Now). Token and code expiry and the
	// player's progress follow it, so tests can inject a fake clock.
	Now func() time.Time
	// TokenLifetime of newly issued access tokens (default one hour).
	TokenLifetime time.Duration
	// AutoApprove makes /authorize redirect at once with a code instead of
	// showing the consent page.
	AutoApprove bool
	// OmitRefreshTokenOnRefresh makes confidential refreshes leave
	// refresh_token out of the response, as Spotify often does. PKCE
	// refreshes always rotate regardless.
	OmitRefreshTokenOnRefresh bool
	// GrantScopes, when set, decides which of the requested scopes are
	// granted (for testing clients that must notice missing scopes).
	GrantScopes func(requested []string) []string
	// Loop makes the player start its queue again after the last item;
	// otherwise nothing plays afterwards.
	Loop bool
}

// User is the Spotify account that logs in.
type User struct {
	ID, DisplayName, Email, Country, Product string
}

// defaultUser is who logs in until SetUser says otherwise.
var defaultUser = User{
	ID:          "tokentraydemo",
	DisplayName: "Demo Listener",
	Email:       "demo.listener@example.com",
	Country:     "SE",
	Product:     "premium",
}

// Server is a fake Spotify. All methods are safe for concurrent use.
type Server struct {
	now     func() time.Time
	opts    Options
	player  *Player
	handler http.Handler
	policy  webAPIPolicy // Development Mode's refusals and the daily quota

	mu       sync.Mutex
	apps     map[string]App
	user     User
	lifetime time.Duration
	pending  map[string]authRequest // consent pages not yet answered
	codes    map[string]authCode
	refresh  map[string]refreshGrant
	access   map[string]accessGrant
	faults   map[string][]fault
	delays   map[string]time.Duration
	// answerHold and issuedHook are token-endpoint faults (HoldTokenAnswers, OnTokensIssued).
	answerHold time.Duration
	issuedHook func(grant string)
	log        []Request
	srv        *http.Server
	url        string
}

// New returns a fake with no registered apps and an empty player queue.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	s := &Server{
		now:      o.Now,
		opts:     o,
		player:   &Player{now: o.Now, loop: o.Loop},
		apps:     map[string]App{},
		user:     defaultUser,
		lifetime: o.TokenLifetime,
		pending:  map[string]authRequest{},
		codes:    map[string]authCode{},
		refresh:  map[string]refreshGrant{},
		access:   map[string]accessGrant{},
		faults:   map[string][]fault{},
		delays:   map[string]time.Duration{},
	}
	s.handler = s.routes()
	return s
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.handleAuthorize)
	mux.HandleFunc("POST /authorize/decision", s.handleDecision)
	mux.HandleFunc("POST /api/token", s.handleToken)
	mux.HandleFunc("GET /v1/me", s.handleMe)
	mux.HandleFunc("GET /v1/me/player/currently-playing", s.handleCurrentlyPlaying)
	mux.HandleFunc("GET /v1/tracks/{id}", s.handleTrack)
	mux.HandleFunc("GET /_fake/cover/{id}", s.handleCover)
	s.controlRoutes(mux)
	s.policyControlRoutes(mux)
	return s.withFaultsAndLog(mux)
}

// SetUser sets the account that logs in from now on. Tokens already issued
// keep the user they were issued for.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// SetTokenLifetime sets the lifetime of access tokens issued from now on;
// d <= 0 restores DefaultTokenLifetime.
func (s *Server) SetTokenLifetime(d time.Duration) {
	if d <= 0 {
		d = DefaultTokenLifetime
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// Player is the fake's playback state, which currently-playing reports.
func (s *Server) Player() *Player { return s.player }

// Handler serves the fake, for callers that run their own listener
// (httptest.NewServer) instead of Start.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (for example "127.0.0.1:0") and serves in the
// background. It returns the base URL, like "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", fmt.Errorf("fakespotify: already serving at %s; call Close first", s.url)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fakespotify: listen on %q: %w", addr, err)
	}
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func(srv *http.Server) {
		// Serve returns only once Close has been called (ErrServerClosed) or
		// the listener broke, which Close's caller sees as failed requests.
		_ = srv.Serve(ln)
	}(s.srv)
	return s.url, nil
}

// URL is the base URL from Start, or "" when not started.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving and drops open connections, which also cancels delayed
// responses. Closing a server that is not serving is not an error.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.srv, s.url = nil, ""
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("fakespotify: close: %w", err)
	}
	return nil
}
