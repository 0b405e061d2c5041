package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/local"
)

// KeepAhead is how much earlier than MinValid the background keeper refreshes, so that a copy
// from the tray never has to wait for the network.
const KeepAhead = 5 * time.Minute

// ErrNoSecret means an app token was asked for without a client secret.
var ErrNoSecret = errors.New("an app token needs the client secret (Client Credentials cannot use PKCE): " +
	"add the secret in Settings, or set SPOTIFY_CLIENT_SECRET and run `tokentray login` again")

// Manager hands out access tokens that stay valid for at least Config.MinValid. It is safe for
// concurrent use: callers share one refresh in this process, and a lock file shares it with
// other processes (the tray app and the CLI), which matters because a PKCE refresh revokes the
// refresh token it used.
type Manager struct {
	cfg      Config
	store    local.SecretStore
	lockPath string
	now      func() time.Time
	retry    RetryPolicy
	warn     func(string)
	// saveRetry bounds the retries of saving a refreshed token.
	saveRetry time.Duration

	userTurn chan struct{} // one user-token refresh at a time; a channel so waiting honours ctx
	appTurn  chan struct{}
	wake     chan struct{} // wakes the keeper: a login happened, or a login is now needed

	mu   sync.Mutex // guards user and app
	user *UserToken
	app  *AppToken
}

// Option adjusts a Manager; the defaults suit production.
type Option func(*Manager)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(m *Manager) { m.now = now } }

// WithWarnings sends warnings (a save that must be retried, an odd token answer) to warn
// instead of the default logger, e.g. to the terminal of a CLI command.
func WithWarnings(warn func(string)) Option { return func(m *Manager) { m.warn = warn } }

// WithRetry replaces DefaultRetry.
func WithRetry(p RetryPolicy) Option { return func(m *Manager) { m.retry = p } }

// NewManager returns a Manager storing secrets in store; lockPath is the cross-process refresh
// lock (usually refresh.lock in the config dir).
func NewManager(cfg Config, store local.SecretStore, lockPath string, opts ...Option) *Manager {
	m := &Manager{
		cfg:       cfg,
		store:     store,
		lockPath:  lockPath,
		now:       time.Now,
		retry:     DefaultRetry,
		warn:      func(msg string) { slog.Warn(msg) },
		saveRetry: DefaultSaveRetry,
		userTurn:  make(chan struct{}, 1),
		appTurn:   make(chan struct{}, 1),
		wake:      make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Config returns the configuration the manager was made with.
func (m *Manager) Config() Config { return m.cfg }

// Token returns a user access token valid for at least MinValid, refreshing if needed.
func (m *Manager) Token(ctx context.Context) (*oauth2.Token, error) {
	return m.TokenValidFor(ctx, m.cfg.MinValidity())
}

// TokenValidFor is Token for another minimum validity, such as a command's --min-valid that
// the tray answers with its own manager.
func (m *Manager) TokenValidFor(ctx context.Context, minValid time.Duration) (*oauth2.Token, error) {
	ut, err := m.userToken(ctx, minValid, "")
	if err != nil {
		return nil, err
	}
	return ut.oauth2(), nil
}

// ForceRefresh refreshes although the token looked valid, for when Spotify answered 401 to the
// access token rejected. Callers that hit the same 401 share one refresh: whoever comes after it
// gets the new token, because only a token equal to rejected is refused.
func (m *Manager) ForceRefresh(ctx context.Context, rejected string) (*oauth2.Token, error) {
	ut, err := m.userToken(ctx, m.cfg.MinValidity(), rejected)
	if err != nil {
		return nil, err
	}
	return ut.oauth2(), nil
}

// Cached returns the user token this process holds, without touching the store or network.
// Copying from the tray uses it so that a click never waits.
func (m *Manager) Cached() *UserToken {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.user == nil {
		return nil
	}
	c := *m.user
	return &c
}

// Stored reads the user authorization from the store (also one another process wrote).
func (m *Manager) Stored() (*UserToken, error) {
	ut, err := loadJSON[UserToken](m.store, local.KeyUserToken)
	if errors.Is(err, local.ErrSecretNotFound) {
		return nil, fmt.Errorf("%w (not logged in)", ErrNeedsLogin)
	}
	return ut, err
}

// userToken returns a token with at least minValid left. With rejected set, a token equal to it
// is not good enough whatever its expiry.
func (m *Manager) userToken(ctx context.Context, minValid time.Duration, rejected string) (*UserToken, error) {
	good := func(ut *UserToken) bool {
		return ut != nil && ut.AccessToken != rejected && ut.Remaining(m.now()) >= minValid
	}
	if ut := m.Cached(); good(ut) {
		return ut, nil
	}
	if err := acquire(ctx, m.userTurn); err != nil {
		return nil, err
	}
	defer func() { <-m.userTurn }()
	// Whoever held the turn before us may have refreshed already.
	if ut := m.Cached(); good(ut) {
		return ut, nil
	}
	unlock, err := local.LockFile(ctx, m.lockPath)
	if err != nil {
		return nil, fmt.Errorf("waiting for the refresh lock %s: %w", m.lockPath, err)
	}
	defer unlock()
	// Another process may have refreshed (and rotated the refresh token) while we waited.
	ut, err := m.Stored()
	if err != nil {
		return nil, err
	}
	if err := m.usable(ut); err != nil {
		// Another process may have been refused; stop handing out our copy at once.
		m.dropCached()
		return nil, err
	}
	if good(ut) {
		m.setUser(ut)
		return ut, nil
	}
	return m.refresh(ctx, ut)
}

// usable rejects stored authorizations that a refresh cannot heal.
func (m *Manager) usable(ut *UserToken) error {
	switch {
	case ut.NeedsLogin:
		return fmt.Errorf("%w: %s", ErrNeedsLogin, ut.NeedsLoginReason)
	case ut.ClientID != m.cfg.ClientID:
		return fmt.Errorf("%w: the stored login belongs to client ID %s, the settings name %s", ErrNeedsLogin, Redact(ut.ClientID), Redact(m.cfg.ClientID))
	case ut.RefreshToken == "":
		return fmt.Errorf("%w (no refresh token stored)", ErrNeedsLogin)
	}
	return nil
}

// refresh trades the refresh token for a new access token. A PKCE refresh revokes the old
// refresh token the moment Spotify reads the request, so from then on the answer is the login:
// the request is not cancelled with ctx (the process finishes it and saves the answer before it
// ends, bounded by the HTTP client's timeout), and the rotated token is stored before the new
// access token is handed to anyone. The store was opened and unlocked before the request
// (prepareSave), so that only one write follows the answer.
func (m *Manager) refresh(ctx context.Context, ut *UserToken) (*UserToken, error) {
	save, done := m.prepareSave()
	defer done()
	inFlight := m.cfg.withHTTPClient(context.WithoutCancel(ctx))
	src := m.cfg.oauth2("").TokenSource(inFlight, &oauth2.Token{RefreshToken: ut.RefreshToken})
	tok, err := m.retry.do(ctx, src.Token)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			m.markNeedsLogin(ut, re)
		}
		return nil, describeTokenError(ctx, "refreshing the access token", err)
	}
	next := *ut
	next.AccessToken = tok.AccessToken
	next.TokenType = tok.TokenType
	next.Expiry = m.expiryOf(tok)
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	if scope := scopeOf(tok); scope != "" {
		next.Scope = scope
	}
	rotated := next.RefreshToken != ut.RefreshToken
	if err := m.saveRefreshed(save, &next, rotated); err != nil {
		return nil, err
	}
	return &next, nil
}

// prepareSave readies the store for the write that follows a refresh, when the store can do
// its slow part (opening a keyring session, unlocking the collection) ahead; done releases it.
func (m *Manager) prepareSave() (save func(value string) error, done func()) {
	if p, ok := m.store.(local.PreparingStore); ok {
		if set, release, err := p.PrepareSet(local.KeyUserToken); err == nil {
			return set, release
		}
	}
	return m.setRawUserToken, func() {}
}

// setRawUserToken stores the JSON of a UserToken through the plain store.
func (m *Manager) setRawUserToken(value string) error { return m.store.Set(local.KeyUserToken, value) }

// DefaultSaveRetry is how long a refreshed token is held in memory while saving it keeps
// failing: long enough for a user to answer a keyring prompt or free a full disk.
const DefaultSaveRetry = 2 * time.Minute

// WithSaveRetry replaces DefaultSaveRetry.
func WithSaveRetry(d time.Duration) Option { return func(m *Manager) { m.saveRetry = d } }

// saveBackoff spaces the save attempts.
var saveBackoff = RetryPolicy{Base: 250 * time.Millisecond, Max: 5 * time.Second}

// saveRefreshed stores a refreshed token, retrying for m.saveRetry. It ignores cancellation on
// purpose: when the refresh token rotated, this write is the only copy of the login, and a
// process asked to stop must finish it first. The user is told what is at stake while it retries.
func (m *Manager) saveRefreshed(save func(value string) error, ut *UserToken, rotated bool) error {
	raw, err := json.Marshal(ut)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(m.saveRetry) // real time, whatever clock the manager was given
	for n := 1; ; n++ {
		if n == 2 {
			save = m.setRawUserToken // a prepared session may be what broke; start afresh
		}
		err = save(string(raw))
		if err == nil {
			m.setUser(ut)
			if n > 1 {
				m.warn(fmt.Sprintf("saved the new login to %s after %d tries.", m.store.Describe(), n))
			}
			return nil
		}
		if n == 1 {
			stake := "the new access token would be lost and refreshed again"
			if rotated {
				stake = "Spotify has already replaced the old refresh token, so this copy is your login: if it is not saved you must log in again"
			}
			m.warn(fmt.Sprintf("could not save the new token to %s (%v). %s. Holding it in memory and retrying for %s: "+
				"do not stop tokentray now; unlock the keyring or make the config directory writable.",
				m.store.Describe(), err, stake, m.saveRetry))
		}
		if !time.Now().Before(deadline) {
			break
		}
		time.Sleep(saveBackoff.backoff(n))
	}
	if rotated {
		return fmt.Errorf("%w: refreshed, but the new refresh token could not be saved to %s within %s (%v), and Spotify "+
			"has revoked the old one; fix the store (unlock the keyring, or make the config directory writable), then log in again",
			ErrNeedsLogin, m.store.Describe(), m.saveRetry, err)
	}
	return fmt.Errorf("refreshed, but could not save the new token to %s within %s (%v); the stored login is unchanged: "+
		"unlock the keyring or make the config directory writable, then try again", m.store.Describe(), m.saveRetry, err)
}

// markNeedsLogin keeps the record (for `tokentray status`) but flags it, so that no process
// keeps retrying a refresh token Spotify refused.
func (m *Manager) markNeedsLogin(ut *UserToken, refusal *oauth2.RetrieveError) {
	answer := refusal.ErrorCode
	if refusal.ErrorDescription != "" {
		answer += ": " + refusal.ErrorDescription
	}
	flagged := *ut
	flagged.NeedsLogin = true
	flagged.NeedsLoginReason = fmt.Sprintf("Spotify refused the refresh token on %s (%s). It was revoked, "+
		"used up by another program, or is older than six months (authorized %s).",
		m.now().Local().Format("2006-01-02 15:04"), answer, ut.AuthorizedAt.Local().Format("2006-01-02"))
	// The error we return already says "log in"; a failed write here changes nothing for the user.
	_ = m.storeUserToken(&flagged)
}

func (m *Manager) storeUserToken(ut *UserToken) error {
	if err := saveJSON(m.store, local.KeyUserToken, ut); err != nil {
		return fmt.Errorf("saving the login to %s: %w", m.store.Describe(), err)
	}
	m.setUser(ut)
	return nil
}

// setUser caches ut for Cached and the fast path of Token; a flagged record is not cached, so
// nobody is handed the access token of a login Spotify refused.
func (m *Manager) setUser(ut *UserToken) {
	if ut.NeedsLogin {
		m.dropCached()
		return
	}
	c := *ut
	m.mu.Lock()
	m.user = &c
	m.mu.Unlock()
}

// dropCached forgets the cached user token and, if there was one, wakes the keeper so that the
// session learns now, not at the keeper's next check, that a login is needed.
func (m *Manager) dropCached() {
	m.mu.Lock()
	had := m.user != nil
	m.user = nil
	m.mu.Unlock()
	if had {
		m.wakeKeeper()
	}
}

// SetAccount records whose token this is, after the caller asked /v1/me.
func (m *Manager) SetAccount(ctx context.Context, acct Account) error {
	unlock, err := local.LockFile(ctx, m.lockPath)
	if err != nil {
		return err
	}
	defer unlock()
	ut, err := m.Stored()
	if err != nil {
		return err
	}
	ut.Account = acct
	return m.storeUserToken(ut)
}

// AppToken returns a Client Credentials token valid for at least MinValid. It identifies the
// app, not a user, and needs the client secret.
func (m *Manager) AppToken(ctx context.Context) (*oauth2.Token, error) {
	return m.AppTokenValidFor(ctx, m.cfg.MinValidity())
}

// AppTokenValidFor is AppToken for another minimum validity.
func (m *Manager) AppTokenValidFor(ctx context.Context, minValid time.Duration) (*oauth2.Token, error) {
	if m.cfg.UsesPKCE() {
		return nil, ErrNoSecret
	}
	good := func(t *AppToken) bool {
		return t != nil && t.ClientID == m.cfg.ClientID && t.Expiry.Sub(m.now()) >= minValid
	}
	if err := acquire(ctx, m.appTurn); err != nil {
		return nil, err
	}
	defer func() { <-m.appTurn }()
	m.mu.Lock()
	cached := m.app
	m.mu.Unlock()
	if !good(cached) {
		// Another process (the tray) may have fetched one; sharing it spares a request.
		if stored, err := loadJSON[AppToken](m.store, local.KeyAppToken); err == nil {
			cached = stored
		} else if !errors.Is(err, local.ErrSecretNotFound) {
			return nil, err
		}
	}
	if !good(cached) {
		tok, err := m.retry.do(ctx, func() (*oauth2.Token, error) {
			return m.cfg.clientCredentials().Token(m.cfg.withHTTPClient(ctx))
		})
		if err != nil {
			return nil, describeTokenError(ctx, "requesting an app token", err)
		}
		cached = &AppToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: m.expiryOf(tok), ClientID: m.cfg.ClientID}
		if err := saveJSON(m.store, local.KeyAppToken, cached); err != nil {
			return nil, fmt.Errorf("saving the app token to %s: %w", m.store.Describe(), err)
		}
	}
	m.mu.Lock()
	m.app = cached
	m.mu.Unlock()
	return &oauth2.Token{AccessToken: cached.AccessToken, TokenType: cached.TokenType, Expiry: cached.Expiry}, nil
}

// Logout forgets the tokens; with all, the client secret too. The settings file is the
// caller's to remove.
func (m *Manager) Logout(all bool) error {
	keys := []string{local.KeyUserToken, local.KeyAppToken}
	if all {
		keys = append(keys, local.KeyClientSecret)
	}
	var errs []error
	for _, k := range keys {
		if err := m.store.Delete(k); err != nil {
			errs = append(errs, fmt.Errorf("removing %s from %s: %w", k, m.store.Describe(), err))
		}
	}
	m.mu.Lock()
	m.user, m.app = nil, nil
	m.mu.Unlock()
	return errors.Join(errs...)
}

func acquire(ctx context.Context, turn chan struct{}) error {
	select {
	case turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (ut *UserToken) oauth2() *oauth2.Token {
	return (&oauth2.Token{AccessToken: ut.AccessToken, TokenType: ut.TokenType, RefreshToken: ut.RefreshToken, Expiry: ut.Expiry}).
		WithExtra(map[string]any{"scope": ut.Scope})
}

// Bounds of a believable expires_in. Spotify issues 3600 s; an answer outside these bounds is
// treated as assumedExpiresIn, with a warning, rather than refused: after a PKCE refresh the
// answer holds the only valid refresh token, so refusing it would destroy the login.
const (
	maxExpiresIn     = 24 * 60 * 60
	assumedExpiresIn = 3600
)

// expiryOf computes the expiry from expires_in with our clock, so that tests with a fake clock
// and x/oauth2's own time.Now agree. A missing, non-positive or absurdly long lifetime becomes
// assumedExpiresIn: an expired token must never be handed out, and a token must not look
// valid for years.
func (m *Manager) expiryOf(tok *oauth2.Token) time.Time {
	secs := tok.ExpiresIn
	if raw, ok := tok.Extra("expires_in").(float64); ok && secs == 0 {
		secs = int64(raw) // x/oauth2's clientcredentials keeps expires_in in the raw answer only
	}
	if secs <= 0 || secs > maxExpiresIn {
		m.warn(fmt.Sprintf("Spotify's token answer gave expires_in %d seconds; assuming %d.", secs, assumedExpiresIn))
		secs = assumedExpiresIn
	}
	return m.now().Add(time.Duration(secs) * time.Second)
}

func scopeOf(tok *oauth2.Token) string {
	s, _ := tok.Extra("scope").(string)
	return s
}
