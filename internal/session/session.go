package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/apicalls"
	"tokentray/internal/backoff"
	"tokentray/internal/local"
	"tokentray/internal/mpris"
	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

// Options say where the session keeps things and whom it talks to.
type Options struct {
	ConfigDir string
	Service   string // keyring service name
	Insecure  bool   // allow the unencrypted file store when there is no keyring
	// Store replaces the keyring (tests; demo mode without a keyring).
	Store local.SecretStore
	Demo  bool

	AccountsURL, APIURL string // "" means the environment or Spotify

	OpenBrowser func(url string) error
	// Notify shows a desktop notification; called only when the settings allow notifications.
	Notify func(title, body string)
	// NotifyTrack shows that a new track or episode plays; called only when the settings ask
	// for track notifications.
	NotifyTrack func(nowplaying.State)
	// Clipboard receives what Copy copies; nil makes Copy fail with a clear error.
	Clipboard Clipboard
	Clock     nowplaying.Clock // nil means the real clock
}

// Clipboard is where copies go: the tray's clipboard, which clears a copy after clearAfter
// (0 = never) if it still holds it.
type Clipboard interface {
	Copy(text string, clearAfter time.Duration) error
}

// Session is the running app's state. Its methods are safe for concurrent use; subscribers are
// called on background goroutines and must hand UI work to the UI thread themselves. Keyring
// I/O never runs under mu: a slow keyring must not block State.
type Session struct {
	o   Options
	api *webapi.Client

	mu       sync.Mutex
	st       State
	poller   *nowplaying.Poller
	store    local.SecretStore // nil when no keyring could be opened
	mgr      *auth.Manager     // nil without a store
	subs     map[int]func(State)
	nextSub  int
	runCtx   context.Context
	stopKeep context.CancelFunc
	stopLog  context.CancelFunc
	stopPoll context.CancelFunc
	calls    *apicalls.Log
	appToken *oauth2.Token
	warned   map[string]bool // notifications already shown this run
	// lastItem identifies what the last track notification was about.
	lastItem string
	// fromAPI is the poller's latest answer, shown again when the local player leaves: the
	// poller reports only changes, and may have none.
	fromAPI nowplaying.State

	// background counts the goroutines that may write to the store (keeper, login, refreshes),
	// so that a quit can let them finish: a refresh token rotated at Spotify must be saved.
	background sync.WaitGroup
}

// goBackground runs f on a goroutine that Wait waits for.
func (s *Session) goBackground(f func()) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		f()
	}()
}

// Wait returns once the background work started so far has ended, or after timeout; call it
// after Run's context ended, before the process exits. It reports whether all work ended.
func (s *Session) Wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() {
		s.background.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Open loads the settings and opens the secret store. Neither a missing keyring nor a damaged
// settings file is an error here: the state says so, and the window shows it with the fix.
func Open(o Options) (*Session, error) {
	settings, found, settingsErr := local.LoadSettings(o.ConfigDir)
	if settingsErr != nil {
		settings, found = local.DefaultSettings(), false
	}
	s := &Session{o: o, subs: map[int]func(State){}, warned: map[string]bool{}}
	s.st = State{Demo: o.Demo, Settings: settings, HasSettings: found}
	var err error
	s.store = o.Store
	if s.store == nil {
		s.store, err = local.OpenStore(local.StoreOptions{Service: o.Service, ConfigDir: o.ConfigDir, Insecure: o.Insecure})
	}
	if err != nil {
		s.store = nil
		s.st.StorageErr = err.Error()
	} else {
		s.st.Storage = s.store.Describe()
		s.st.InsecureStorage = s.store.Insecure()
	}
	switch {
	case settingsErr != nil:
		// Without the settings tokentray does not know the client ID: no login until a reset.
		s.st.SettingsErr = settingsErr.Error()
	case s.store != nil:
		login, err := s.readLogin(settings, found)
		s.useLogin(&s.st, login)
		if err != nil {
			s.st.LastError = err.Error()
		}
	}
	calls := apicalls.Open(apicalls.Options{Path: filepath.Join(o.ConfigDir, apicalls.FileName), Warn: warn})
	s.st.APICalls = calls.Summary()
	s.api = &webapi.Client{BaseURL: s.apiURL(), Tokens: currentTokens{s}, Calls: callCounter{s, calls}}
	s.calls = calls
	s.poller = s.newPoller(settings.NowPlayingBudget)
	return s, nil
}

// newPoller returns a poller that spends at most budget now-playing calls a day.
func (s *Session) newPoller(budget int) *nowplaying.Poller {
	return &nowplaying.Poller{
		Source:      s.api,
		Clock:       s.o.Clock,
		OnChange:    s.fromWebAPI,
		IsLoggedOut: func(err error) bool { return errors.Is(err, auth.ErrNeedsLogin) || errors.Is(err, errNoStore) },
		Budget:      &nowplaying.Budget{Calls: budget, Log: s.calls},
	}
}

// nowPlaying is the current poller: it is replaced when the budget changes.
func (s *Session) nowPlaying() *nowplaying.Poller {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller
}

// restartPoller starts a poller for the settings' budget, if Run runs, in place of the last one.
// The call log carries what was spent, so a new poller keeps to the same day's budget.
func (s *Session) restartPoller() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx == nil {
		return
	}
	if s.stopPoll != nil {
		s.stopPoll()
		s.poller = s.newPoller(s.st.Settings.NowPlayingBudget)
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	s.stopPoll = cancel
	p := s.poller
	p.SetLocalActive(s.st.LocalPlayer.Active)
	go p.Run(ctx)
}

// callCounter records each Web API call and keeps the state's count current.
type callCounter struct {
	s   *Session
	log *apicalls.Log
}

func (c callCounter) Record(path string) {
	c.log.Record(path)
	summary := c.log.Summary()
	c.s.update(func(st *State) { st.APICalls = summary })
}

// warn logs a problem that loses nothing the user needs, such as a damaged call count.
func warn(err error) { fmt.Fprintln(os.Stderr, "tokentray: warning:", err) }

// fromWebAPI takes the poller's answer, unless a local player reports what plays: a poll that
// was under way when the player appeared must not overwrite it.
func (s *Session) fromWebAPI(np nowplaying.State) {
	s.update(func(st *State) {
		s.fromAPI = np
		if !st.LocalPlayer.Active {
			st.NowPlaying = np
		}
	})
	s.noticeItem()
}

// noticeItem sends the track notification when a new track or episode starts playing; not for
// what already plays when tokentray starts.
func (s *Session) noticeItem() {
	s.mu.Lock()
	np := s.st.NowPlaying
	p := np.Playing
	if p == nil || !p.IsPlaying || (p.Kind != webapi.Track && p.Kind != webapi.Episode) {
		s.mu.Unlock()
		return
	}
	item := p.ID + "\x00" + np.Label
	first, changed := s.lastItem == "", item != s.lastItem
	s.lastItem = item
	notify := s.st.Settings.TrackNotifications && s.o.NotifyTrack != nil && changed && !first
	s.mu.Unlock()
	if notify {
		s.o.NotifyTrack(np)
	}
}

// SetLocalPlayer takes what the local player (MPRIS) reports. While it is active it is what
// plays, and the Web API is not asked; when it stops, the poller asks the Web API at once,
// since the music may go on on another device.
func (s *Session) SetLocalPlayer(snap mpris.Snapshot) {
	s.update(func(st *State) {
		wasActive := st.LocalPlayer.Active
		st.LocalPlayer = LocalPlayer{Name: snap.Player, Active: snap.Active}
		switch {
		case snap.Active:
			st.NowPlaying = nowplaying.State{Playing: snap.Playing, Label: nowplaying.Label(snap.Playing)}
		case wasActive:
			st.NowPlaying = s.fromAPI
		}
	})
	s.noticeItem()
	s.nowPlaying().SetLocalActive(snap.Active)
}

// WakeNowPlaying asks the Web API what plays now if what is known is stale by the schedule's
// measure, within the budget (the window opened, a watcher connected, `tokentray now` asks): so
// that many of them cost no more calls than the schedule.
func (s *Session) WakeNowPlaying() { s.nowPlaying().WakeIfStale() }

var errNoStore = errors.New("no secret store")

func (s *Session) apiURL() string {
	if s.o.APIURL != "" {
		return s.o.APIURL
	}
	return auth.APIURL()
}

// storedLogin is what the store holds for some settings: a manager, whether a client secret is
// stored, and the authorization (nil when logged out). mgr is nil when the secret could not be
// read; read is false when the authorization could not be.
type storedLogin struct {
	mgr       *auth.Manager
	hasSecret bool
	read      bool
	token     *auth.UserToken
}

// readLogin reads the secret and the authorization for settings from the store. It does keyring
// I/O, so callers must not hold mu; useLogin then installs the result under it.
func (s *Session) readLogin(settings local.Settings, found bool) (storedLogin, error) {
	p := auth.Profile{Dir: s.o.ConfigDir, Settings: settings, HasSettings: found, Store: s.store, AccountsURL: s.o.AccountsURL}
	mgr, err := p.Manager()
	if err != nil {
		return storedLogin{}, err
	}
	l := storedLogin{mgr: mgr, hasSecret: !mgr.Config().UsesPKCE()}
	ut, err := mgr.Stored()
	switch {
	case err == nil:
		l.read, l.token = true, ut
	case errors.Is(err, auth.ErrNeedsLogin):
		l.read = true
	default:
		return l, err
	}
	return l, nil
}

// useLogin installs what readLogin could read into the session and st, keeping the rest as it
// was; callers hold mu or own s exclusively.
func (s *Session) useLogin(st *State, l storedLogin) {
	if l.mgr == nil {
		return
	}
	s.mgr = l.mgr
	s.appToken = nil
	st.HasSecret = l.hasSecret
	switch {
	case !l.read:
	case l.token != nil:
		s.applyToken(st, l.token)
	default:
		s.applyLoggedOut(st)
	}
}

// Reload reads the settings and the stored login again, after another process (the CLI's login
// or logout) changed them.
func (s *Session) Reload() error {
	s.mu.Lock()
	store := s.store
	s.mu.Unlock()
	settings, found, err := local.LoadSettings(s.o.ConfigDir)
	if err != nil {
		s.update(func(st *State) { st.SettingsErr = err.Error() })
		return err
	}
	var login storedLogin
	var loginErr error
	if store != nil {
		login, loginErr = s.readLogin(settings, found)
	}
	budget := s.State().Settings.NowPlayingBudget
	s.update(func(st *State) {
		st.Settings, st.HasSettings, st.SettingsErr = settings, found, ""
		if store != nil {
			s.useLogin(st, login)
		}
	})
	if settings.NowPlayingBudget != budget {
		s.restartPoller()
	}
	s.restartKeeper()
	s.nowPlaying().Wake()
	return loginErr
}

// applyToken derives the login part of the state from a stored authorization.
func (s *Session) applyToken(st *State, ut *auth.UserToken) {
	st.NeedsLogin = ut.NeedsLogin || ut.ClientID != st.Settings.ClientID
	st.NeedsLoginReason = ut.NeedsLoginReason
	if ut.ClientID != st.Settings.ClientID {
		st.NeedsLoginReason = "The client ID changed since the last login."
	}
	st.LoggedIn = !st.NeedsLogin
	st.Account = ut.Account
	st.GrantedScopes = ut.GrantedScopes()
	st.MissingScopes = local.MissingScopes(st.Settings.Scopes, st.GrantedScopes)
	st.AccessExpiry = ut.Expiry
	st.AuthorizedAt = ut.AuthorizedAt
	st.RefreshExpires = ut.RefreshExpires()
}

func (s *Session) applyLoggedOut(st *State) {
	st.LoggedIn, st.NeedsLogin, st.NeedsLoginReason = false, false, ""
	st.Account, st.GrantedScopes, st.MissingScopes = auth.Account{}, nil, nil
	st.AccessExpiry, st.AuthorizedAt, st.RefreshExpires = time.Time{}, time.Time{}, time.Time{}
}

// State returns the current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Subscribe calls fn with every new state until unsubscribe is called.
func (s *Session) Subscribe(fn func(State)) (unsubscribe func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

// update changes the state under the lock and then tells the subscribers, outside it. Once Run
// has ended nobody is told: the UI the subscribers draw on may be gone.
func (s *Session) update(change func(st *State)) {
	s.mu.Lock()
	change(&s.st)
	if s.runCtx != nil && s.runCtx.Err() != nil {
		s.mu.Unlock()
		return
	}
	st := s.st
	subs := make([]func(State), 0, len(s.subs))
	for _, fn := range s.subs {
		subs = append(subs, fn)
	}
	s.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

// notify shows a notification if the user wants notifications: at most once per key until
// allowNotification(key), or every time for the key "".
func (s *Session) notify(key, title, body string) {
	s.mu.Lock()
	allowed := s.st.Settings.Notifications && s.o.Notify != nil && !s.warned[key]
	if key != "" {
		s.warned[key] = true
	}
	s.mu.Unlock()
	if allowed {
		s.o.Notify(title, body)
	}
}

// allowNotification lets a notification keyed key show again (its condition ended).
func (s *Session) allowNotification(key string) {
	s.mu.Lock()
	delete(s.warned, key)
	s.mu.Unlock()
}

// Run keeps the tokens fresh and follows what plays until ctx ends.
func (s *Session) Run(ctx context.Context) {
	s.mu.Lock()
	s.runCtx = ctx
	s.mu.Unlock()
	s.restartKeeper()
	s.restartPoller()
	<-ctx.Done()
}

// restartKeeper (re)starts the background refreshes for the current manager.
func (s *Session) restartKeeper() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopKeep != nil {
		s.stopKeep()
		s.stopKeep = nil
	}
	if s.runCtx == nil || s.mgr == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	s.stopKeep = cancel
	mgr := s.mgr
	s.goBackground(func() { mgr.KeepAlive(ctx, func(e auth.Event) { s.onKeeperEvent(mgr, e) }) })
	if !mgr.Config().UsesPKCE() {
		s.goBackground(func() { s.keepAppToken(ctx, mgr) })
	}
}

// refreshExpiryWarning is how early the user hears that the six months are nearly over.
const refreshExpiryWarning = 7 * 24 * time.Hour

func (s *Session) onKeeperEvent(mgr *auth.Manager, e auth.Event) {
	s.mu.Lock()
	current := s.mgr == mgr
	s.mu.Unlock()
	if !current {
		return // a keeper of replaced settings reporting on its way out
	}
	switch e.Kind {
	case auth.Refreshed:
		wasLoggedIn := s.State().LoggedIn
		s.update(func(st *State) {
			s.applyToken(st, e.Token)
			st.LastError = ""
		})
		s.allowNotification("needs-login")
		s.allowNotification("refresh-failing")
		if !wasLoggedIn {
			s.nowPlaying().Wake()
		}
		if left := time.Until(e.Token.RefreshExpires()); left < refreshExpiryWarning {
			s.notify("refresh-expiry", "tokentray: log in again soon",
				fmt.Sprintf("Spotify stops accepting this login on %s (six months after you authorized it). Log in again before then.",
					e.Token.RefreshExpires().Local().Format("Mon 2 Jan 15:04")))
		}
	case auth.NeedsLogin:
		ut, err := mgr.Stored()
		s.update(func(st *State) {
			if err == nil {
				s.applyToken(st, ut)
			} else {
				s.applyLoggedOut(st)
			}
		})
		if err == nil && ut.NeedsLogin {
			s.notify("needs-login", "tokentray: log in again", ut.NeedsLoginReason)
		}
		s.nowPlaying().Wake() // let it see the logged-out state now rather than at its next poll
	case auth.RefreshFailed:
		s.update(func(st *State) { st.LastError = e.Err.Error() })
		if e.Failures >= 3 {
			s.notify("refresh-failing", "tokentray: cannot refresh the token",
				fmt.Sprintf("%d attempts failed; tokentray keeps trying. Last error: %v", e.Failures, e.Err))
		}
	}
}

// keepAppToken keeps a Client Credentials token ready so that copying one never waits.
func (s *Session) keepAppToken(ctx context.Context, mgr *auth.Manager) {
	failures := 0
	for {
		tok, err := mgr.AppToken(ctx)
		wait := time.Minute
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait = appTokenBackoff.Wait(failures)
		} else {
			failures = 0
			s.mu.Lock()
			if s.mgr == mgr {
				s.appToken = tok
			}
			s.mu.Unlock()
			due := time.Until(tok.Expiry) - mgr.Config().MinValidity() - auth.KeepAhead
			wait = min(max(due, time.Second), time.Minute)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// appTokenBackoff spaces the attempts to fetch an app token while Spotify refuses or fails.
var appTokenBackoff = backoff.Doubling{First: 10 * time.Second, Max: 5 * time.Minute}

// currentTokens lets the Web API client follow the session's current manager, which changes
// when the settings do.
type currentTokens struct{ s *Session }

func (c currentTokens) manager() (*auth.Manager, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	switch {
	case c.s.st.SettingsErr != "":
		return nil, errors.New(c.s.st.SettingsErr)
	case c.s.mgr == nil:
		return nil, fmt.Errorf("%w: %s", errNoStore, c.s.st.StorageErr)
	}
	return c.s.mgr, nil
}

func (c currentTokens) Token(ctx context.Context) (*oauth2.Token, error) {
	m, err := c.manager()
	if err != nil {
		return nil, err
	}
	return m.Token(ctx)
}

func (c currentTokens) ForceRefresh(ctx context.Context, rejected string) (*oauth2.Token, error) {
	m, err := c.manager()
	if err != nil {
		return nil, err
	}
	return m.ForceRefresh(ctx, rejected)
}

// runContext is the run context, or a plain one before Run (tests, first start).
func (s *Session) runContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx != nil {
		return s.runCtx
	}
	return context.Background()
}

func (s *Session) manager() (*auth.Manager, error) { return currentTokens{s}.manager() }
