package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"tokentray/auth"
)

func runLogin(env *Env, args []string) error {
	fs := newFlagSet(env, "login", "log in to Spotify and store the refresh token")
	clientID := fs.String("client-id", "", "the app's client ID (default: $SPOTIFY_CLIENT_ID, then the saved one)")
	scopes := fs.String("scopes", "", "comma-separated scopes (default: the saved ones, else what the tray needs)")
	redirect := fs.String("redirect-uri", "", "redirect URI registered for the app (default "+auth.DefaultRedirectURI+")")
	noBrowser := fs.Bool("no-browser", false, "print the authorize URL alone on stdout's first line instead of opening a browser")
	secretStdin := fs.Bool("client-secret-stdin", false, "read the client secret from stdin (else $SPOTIFY_CLIENT_SECRET; none means PKCE)")
	timeout := fs.Duration("timeout", auth.DefaultLoginTimeout, "how long to wait for the browser")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
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
	secret, err := loginSecret(env, p, settings, *secretStdin)
	if err != nil {
		return err
	}

	// Save what the login uses before it starts, so that a finished login and the settings agree.
	if err := auth.SaveSettings(p.Dir, settings); err != nil {
		return err
	}
	if secret != "" {
		if err := p.Store.Set(auth.KeyClientSecret, secret); err != nil {
			return fmt.Errorf("saving the client secret to %s: %w", p.Store.Describe(), err)
		}
	} else if err := p.Store.Delete(auth.KeyClientSecret); err != nil {
		return fmt.Errorf("removing the old client secret from %s: %w", p.Store.Describe(), err)
	}
	p.Settings = settings
	m, err := p.Manager()
	if err != nil {
		return err
	}
	if m.Config().UsesPKCE() {
		fmt.Fprintln(env.Stderr, "No client secret: logging in with PKCE.")
	} else {
		fmt.Fprintln(env.Stderr, "Logging in with the client secret (Authorization Code flow).")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := auth.LoginOptions{Timeout: *timeout}
	if *noBrowser {
		opts.OnAuthorizeURL = func(u string) {
			fmt.Fprintln(env.Stdout, u)
			fmt.Fprintln(env.Stderr, "Open the URL above in a browser; waiting for Spotify to send you back…")
		}
	} else {
		opts.OnAuthorizeURL = func(u string) {
			fmt.Fprintf(env.Stderr, "Opening your browser. If nothing opens, visit:\n%s\n", u)
		}
		opts.OpenBrowser = env.OpenBrowser
	}
	ut, err := m.Login(ctx, opts)
	if err != nil {
		return err
	}
	acct := describeAccount(ctx, m)
	fmt.Fprintf(env.Stdout, "Logged in as %s.\n", acct)
	if missing := auth.MissingScopes(settings.Scopes, ut.GrantedScopes()); len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "Spotify did not grant: %s\n", strings.Join(missing, ", "))
	}
	tellTray(env)
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
func loginSecret(env *Env, p *auth.Profile, s auth.Settings, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
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
