package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

// SaveSettings validates and stores the settings. With secretChanged the client secret is
// replaced by secret ("" removes it: PKCE from then on); otherwise the stored one stays.
// Invalid settings change nothing and return local.FieldErrors.
func (s *Session) SaveSettings(settings local.Settings, secret string, secretChanged bool) error {
	if err := settings.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	store := s.store
	s.mu.Unlock()
	if store == nil && secretChanged && secret != "" {
		return fmt.Errorf("cannot store the client secret: %s", s.State().StorageErr)
	}
	if err := local.SaveSettings(s.o.ConfigDir, settings); err != nil {
		return err
	}
	var login storedLogin
	var loginErr error
	if store != nil {
		if secretChanged {
			var err error
			if secret == "" {
				err = store.Delete(local.KeyClientSecret)
			} else {
				err = store.Set(local.KeyClientSecret, secret)
			}
			if err != nil {
				return fmt.Errorf("saving the client secret to %s: %w", store.Describe(), err)
			}
		}
		login, loginErr = s.readLogin(settings, true)
	}
	budget := s.State().Settings.NowPlayingBudget
	s.update(func(st *State) {
		st.Settings, st.HasSettings, st.SettingsErr = settings, true, ""
		s.useLogin(st, login)
	})
	if settings.NowPlayingBudget != budget {
		s.restartPoller()
	}
	if loginErr != nil {
		return loginErr
	}
	s.restartKeeper()
	return nil
}

// ResetSettings replaces a damaged settings file with the defaults, keeping the login and the
// client secret (auth.ResetSettings), and reads everything again.
func (s *Session) ResetSettings() error {
	s.mu.Lock()
	store := s.store
	s.mu.Unlock()
	if store == nil {
		store = local.NewMemoryStore() // nothing stored to keep: the defaults alone
	}
	if _, err := auth.ResetSettings(s.o.ConfigDir, store); err != nil {
		return err
	}
	return s.Reload()
}

// StartLogin starts the login in the background and returns at once; State.Login follows it.
// The browser opens on the authorize URL, which the state also carries for when none opens.
func (s *Session) StartLogin() error {
	m, err := s.manager()
	if err != nil {
		return err
	}
	if !s.State().HasSettings {
		return errors.New("enter and save the client ID first")
	}
	ctx, cancel := context.WithCancel(s.runContext())
	s.mu.Lock()
	if s.st.Login.InProgress {
		s.mu.Unlock()
		cancel()
		return errors.New("a login is already waiting for the browser: finish it or press Cancel")
	}
	s.stopLog = cancel
	s.st.Login = LoginState{InProgress: true}
	s.mu.Unlock()
	s.update(func(*State) {}) // publish

	s.goBackground(func() {
		defer cancel()
		ut, err := m.Login(ctx, auth.LoginOptions{
			OnAuthorizeURL: func(u string) { s.update(func(st *State) { st.Login.AuthorizeURL = u }) },
			OpenBrowser:    s.openBrowser,
		})
		s.finishLogin(ctx, m, ut, err)
	})
	return nil
}

// openBrowser never fails the login: without a browser the user can still open the URL shown.
func (s *Session) openBrowser(u string) error {
	if s.o.OpenBrowser == nil {
		return nil
	}
	if err := s.o.OpenBrowser(u); err != nil {
		s.update(func(st *State) {
			st.Login.Err = fmt.Sprintf("No browser opened (%v): open the URL below yourself.", err)
		})
	}
	return nil
}

func (s *Session) finishLogin(ctx context.Context, m *auth.Manager, ut *auth.UserToken, err error) {
	if err != nil {
		msg := err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "" // the user pressed Cancel: nothing to report
		}
		s.update(func(st *State) { st.Login = LoginState{Err: msg} })
		return
	}
	// Who logged in: a failure here does not undo the login.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	me, err := s.api.Me(ctx)
	if err == nil {
		acct := auth.Account{ID: me.ID, DisplayName: me.DisplayName}
		if err = m.SetAccount(ctx, acct); err == nil {
			ut.Account = acct
		}
	}
	if err != nil {
		warn(fmt.Errorf("logged in, but whose account it is stays unknown: %w", err))
	}
	// A Development-Mode refusal means the login is of no use until the dashboard is fixed:
	// the tray, the window and the notification say so at once.
	var refused *webapi.DevModeError
	s.update(func(st *State) {
		st.Login = LoginState{}
		s.applyToken(st, ut)
		st.LastError = ""
		if errors.As(err, &refused) {
			st.LastError = refused.Error()
		}
	})
	if refused != nil {
		s.notify("", "tokentray: Spotify refused the account", refused.Error())
		return
	}
	s.allowNotification("needs-login")
	s.nowPlaying().Wake()
	s.notify("", "tokentray: logged in",
		fmt.Sprintf("Logged in to Spotify as %s. Tokens are kept fresh in the background.", ut.Account.ShortName()))
}

// CancelLogin stops a login that waits for the browser.
func (s *Session) CancelLogin() {
	s.mu.Lock()
	stop := s.stopLog
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// UserToken returns the current user access token without waiting on the network. When none
// with MinValid left is at hand, it says why, and starts a refresh if one can help.
func (s *Session) UserToken() (string, time.Duration, error) {
	m, err := s.manager()
	if err != nil {
		return "", 0, err
	}
	st := s.State()
	minValid := m.Config().MinValidity()
	if ut := m.Cached(); ut != nil {
		if left := ut.Remaining(time.Now()); left >= minValid {
			return ut.AccessToken, left, nil
		}
	}
	switch st.Authorization {
	case NeedsLogin:
		return "", 0, fmt.Errorf("%w: %s", auth.ErrNeedsLogin, st.NeedsLoginReason)
	case LoggedOut:
		return "", 0, fmt.Errorf("%w (not logged in yet)", auth.ErrNeedsLogin)
	}
	s.goBackground(func() { m.Token(s.runContext()) }) //nolint:errcheck // the keeper reports the outcome through the state.
	why := "Spotify has not answered yet"
	if st.LastError != "" {
		why = st.LastError
	}
	return "", 0, fmt.Errorf("no fresh token yet (%s); tokentray is refreshing it, try again in a moment", why)
}

// AppToken returns the Client Credentials token kept ready in the background.
func (s *Session) AppToken() (string, time.Duration, error) {
	m, err := s.manager()
	if err != nil {
		return "", 0, err
	}
	if m.Config().UsesPKCE() {
		return "", 0, auth.ErrNoSecret
	}
	s.mu.Lock()
	tok := s.appToken
	s.mu.Unlock()
	if tok != nil {
		if left := time.Until(tok.Expiry); left >= m.Config().MinValidity() {
			return tok.AccessToken, left, nil
		}
	}
	s.goBackground(func() {
		if tok, err := m.AppToken(s.runContext()); err == nil {
			s.mu.Lock()
			if s.mgr == m {
				s.appToken = tok
			}
			s.mu.Unlock()
		}
	})
	return "", 0, errors.New("no app token yet: tokentray is requesting one, try again in a moment")
}

// EnvText returns the SPOTIFY_* lines for other tools, as a .env file.
func (s *Session) EnvText() (string, error) {
	m, err := s.manager()
	if err != nil {
		return "", err
	}
	creds, err := m.ToolCredentials()
	if err != nil {
		return "", err
	}
	text, err := creds.Format("dotenv")
	if err != nil {
		return "", err
	}
	if creds.PKCE() {
		text = "# PKCE login: this refresh token rotates on every refresh, so tokentray and another tool\n" +
			"# cannot share it. For a tool, add the client secret in tokentray and log in again.\n" + text
	}
	return "# " + nowplaying.SharedQuotaNote(s.State().Settings.NowPlayingBudget) + "\n" + text, nil
}

// TestToken asks Spotify who the token belongs to and describes the answer in a sentence.
func (s *Session) TestToken(ctx context.Context) (string, error) {
	me, err := s.api.Me(ctx)
	if err != nil {
		return "", err
	}
	return "Spotify says it belongs to " + auth.Account{ID: me.ID, DisplayName: me.DisplayName}.String() + ".", nil
}

// Logout forgets the tokens; with all, the client secret too. The settings stay.
func (s *Session) Logout(all bool) error {
	m, err := s.manager()
	if err != nil {
		return err
	}
	s.CancelLogin()
	err = m.Logout(all)
	st := s.State()
	login, loginErr := s.readLogin(st.Settings, st.HasSettings)
	s.update(func(st *State) {
		s.applyLoggedOut(st)
		s.useLogin(st, login)
	})
	s.restartKeeper()
	s.nowPlaying().Wake()
	return errors.Join(err, loginErr)
}

// FreshToken returns an access token (the app token with app) valid at least minValid, or the
// settings' minimum when minValid is 0, refreshing if needed. `tokentray token` gets its token
// here when the tray runs, so that only the tray refreshes and rotates.
func (s *Session) FreshToken(ctx context.Context, app bool, minValid time.Duration) (*oauth2.Token, error) {
	m, err := s.manager()
	if err != nil {
		return nil, err
	}
	switch {
	case app && minValid > 0:
		return m.AppTokenValidFor(ctx, minValid)
	case app:
		return m.AppToken(ctx)
	case minValid > 0:
		return m.TokenValidFor(ctx, minValid)
	}
	return m.Token(ctx)
}
