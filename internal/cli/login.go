package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/internal/local"
)

func runLogin(env *Env, args []string) error {
	fs := newFlagSet(env, "login", "log in to Spotify and store the refresh token")
	clientID := fs.String("client-id", "", "the app's client ID (default: $SPOTIFY_CLIENT_ID, then the saved one)")
	scopes := fs.String("scopes", "", "comma-separated scopes (default: the saved ones, else what the tray needs)")
	redirect := fs.String("redirect-uri", "", "redirect URI registered for the app (default "+local.DefaultRedirectURI+")")
	noBrowser := fs.Bool("no-browser", false, "print the authorize URL alone on stdout's first line instead of opening a browser; "+
		"the redirected address may then be pasted on stdin")
	secretStdin := fs.Bool("client-secret-stdin", false, "read the client secret from stdin (else $SPOTIFY_CLIENT_SECRET; none means PKCE)")
	timeout := fs.Duration("timeout", auth.DefaultLoginTimeout, "how long to wait for the browser")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usagef("--timeout %s: give how long to wait for the browser, such as 5m", *timeout)
	}
	p, err := openProfile(env, *insecure)
	if err != nil {
		return err
	}

	settings := p.Settings
	if id := env.Getenv("SPOTIFY_CLIENT_ID"); id != "" {
		settings.ClientID = id
	}
	if *clientID != "" {
		settings.ClientID = *clientID
	}
	if *scopes != "" {
		settings.Scopes = splitList(*scopes)
	}
	if *redirect != "" {
		settings.RedirectURI = *redirect
	}
	if err := settings.Validate(); err != nil {
		return err // nothing stored yet
	}
	stdin := bufio.NewReader(env.Stdin) // one reader: the secret's line and pasted addresses share stdin
	secret, err := loginSecret(stdin, env, p, settings, *secretStdin)
	if err != nil {
		return err
	}

	// The login runs with the new settings and secret, but stores nothing until Spotify accepted
	// the code: an aborted login leaves a working setup as it was.
	m := auth.NewManager(auth.ConfigFromSettings(settings, secret), p.Store, p.LockPath(), warnTo(env))
	if m.Config().UsesPKCE() {
		fmt.Fprintln(env.Stderr, "No client secret: logging in with PKCE.")
	} else {
		fmt.Fprintln(env.Stderr, "Logging in with the client secret (Authorization Code flow).")
	}
	tx, err := beginLoginTransaction(p)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := auth.LoginOptions{Timeout: *timeout, BeforeSave: func() error { return tx.commit(settings, secret) }}
	if *noBrowser {
		opts.OnAuthorizeURL = func(u string) {
			fmt.Fprintln(env.Stdout, u)
			fmt.Fprintln(env.Stderr, "Open the URL above in a browser; waiting for Spotify to send you back… "+
				"If that browser runs on another machine, its page after Agree will not load: paste that page's address here and press Enter.")
		}
		opts.Pasted = stdin
		opts.OnPasteRejected = func(msg string) { fmt.Fprintf(env.Stderr, "tokentray: %s Still waiting.\n", msg) }
	} else {
		opts.OnAuthorizeURL = func(u string) {
			fmt.Fprintf(env.Stderr, "Opening your browser. If nothing opens, visit:\n%s\n", u)
		}
		opts.OpenBrowser = env.OpenBrowser
	}
	ut, err := m.Login(ctx, opts)
	if err != nil {
		err = errors.Join(err, tx.rollback())
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return errors.New("login interrupted; nothing stored was changed")
		}
		return err
	}
	acct := describeAccount(ctx, m)
	fmt.Fprintf(env.Stdout, "Logged in as %s.\n", acct)
	if missing := local.MissingScopes(settings.Scopes, ut.GrantedScopes()); len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "Spotify did not grant: %s\n", strings.Join(missing, ", "))
	}
	tellTray(env)
	return nil
}

// loginTransaction saves a login's settings and secret together with its tokens, and puts the
// previous ones back if storing the tokens fails.
type loginTransaction struct {
	p         *auth.Profile
	oldSecret string
	committed bool
}

func beginLoginTransaction(p *auth.Profile) (*loginTransaction, error) {
	old, err := p.ClientSecret()
	if err != nil {
		return nil, err
	}
	return &loginTransaction{p: p, oldSecret: old}, nil
}

// commit runs once Spotify accepted the code, right before the tokens are stored.
func (tx *loginTransaction) commit(settings local.Settings, secret string) error {
	tx.committed = true
	if err := local.SaveSettings(tx.p.Dir, settings); err != nil {
		return errors.Join(err, tx.rollback())
	}
	if err := setSecret(tx.p.Store, secret); err != nil {
		return errors.Join(err, tx.rollback())
	}
	return nil
}

// rollback restores the settings and secret a committed login replaced; before a commit it has
// nothing to do.
func (tx *loginTransaction) rollback() error {
	if !tx.committed {
		return nil
	}
	tx.committed = false
	restore := local.RemoveSettings(tx.p.Dir)
	if tx.p.HasSettings {
		restore = local.SaveSettings(tx.p.Dir, tx.p.Settings)
	}
	if err := errors.Join(restore, setSecret(tx.p.Store, tx.oldSecret)); err != nil {
		return fmt.Errorf("putting the previous settings back: %w", err)
	}
	return nil
}

// setSecret stores the client secret, or removes it when the login uses PKCE.
func setSecret(store local.SecretStore, secret string) error {
	if secret == "" {
		if err := store.Delete(local.KeyClientSecret); err != nil {
			return fmt.Errorf("removing the old client secret from %s: %w", store.Describe(), err)
		}
		return nil
	}
	if err := store.Set(local.KeyClientSecret, secret); err != nil {
		return fmt.Errorf("saving the client secret to %s: %w", store.Describe(), err)
	}
	return nil
}

// describeAccount asks Spotify who logged in and records it; a failure here does not undo the
// login, so it is reported but not returned.
func describeAccount(ctx context.Context, m *auth.Manager) string {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	me, err := apiClient(m).Me(ctx)
	if err != nil {
		return fmt.Sprintf("an account tokentray could not look up (%v)", err)
	}
	acct := auth.Account{ID: me.ID, DisplayName: me.DisplayName}
	if err := m.SetAccount(ctx, acct); err != nil {
		return fmt.Sprintf("%s (not saved: %v)", acct.String(), err)
	}
	return acct.String()
}

// loginSecret picks the client secret: stdin, then the environment, then the stored one when the
// client ID did not change. A secret is never accepted as a flag value: it would show in `ps`.
func loginSecret(stdin *bufio.Reader, env *Env, p *auth.Profile, s local.Settings, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := stdin.ReadString('\n')
		if err != nil && line == "" {
			return "", usagef("--client-secret-stdin: nothing to read on stdin (pipe the secret in, e.g. `pass spotify | tokentray login --client-secret-stdin`)")
		}
		secret := strings.TrimSpace(line)
		if secret == "" {
			return "", usagef("--client-secret-stdin: the line read is empty; pipe the client secret from the Spotify dashboard")
		}
		return secret, nil
	}
	if secret := env.Getenv("SPOTIFY_CLIENT_SECRET"); secret != "" {
		return secret, nil
	}
	if s.ClientID != p.Settings.ClientID {
		return "", nil // the stored secret belongs to another app
	}
	secret, err := p.ClientSecret()
	if err != nil {
		return "", err
	}
	return secret, nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
