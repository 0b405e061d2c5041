package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/apicalls"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/trayapi"
)

func runStatus(env *Env, args []string) error {
	fs := newFlagSet(env, "status", "show the login, scopes, token expiry and storage (no network)")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := openProfile(env, *insecure)
	if err != nil {
		return err
	}
	m, err := p.Manager()
	if err != nil {
		return err
	}
	w := env.Stdout
	row := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	row("Config", p.Dir)
	row("Storage", p.Store.Describe())
	calls := apicalls.Open(apicalls.Options{Path: filepath.Join(p.Dir, apicalls.FileName), ReadOnly: true})
	row("Web API", calls.Summary())
	if tray, err := runningTray(); err == nil {
		st, err := tray.State()
		switch {
		case err == nil && st.NowPlaying.ErrText != "":
			row("Now playing", st.NowPlaying.ErrText)
		case errors.Is(err, trayapi.ErrNoTray):
			// The quota block the last tray saved: the next one starts without calling until then.
			if until, reason := calls.Blocked(); !until.IsZero() {
				row("Now playing", nowplaying.QuotaText(until, time.Now())+" ("+reason+")")
			}
		}
	}
	if !p.HasSettings {
		row("Login", "not set up: run `tokentray login --client-id ID` or open the tray app")
		return fmt.Errorf("%w: no settings yet", auth.ErrNeedsLogin)
	}
	row("Client ID", p.Settings.ClientID)
	flow := "Authorization Code with client secret"
	if m.Config().UsesPKCE() {
		flow = "Authorization Code with PKCE (no client secret)"
	}
	row("Flow", flow)
	row("Redirect URI", p.Settings.RedirectURI)
	ut, err := m.Stored()
	if err != nil {
		row("Login", "not logged in")
		return err
	}
	printUserToken(row, ut, p.Settings.Scopes, time.Now())
	if ut.NeedsLogin {
		return fmt.Errorf("%w: %s", auth.ErrNeedsLogin, ut.NeedsLoginReason)
	}
	return nil
}

func printUserToken(row func(k, v string), ut *auth.UserToken, asked []string, now time.Time) {
	if ut.Account.ID != "" {
		row("Account", ut.Account.String())
	}
	row("Scopes granted", orNone(strings.Join(ut.GrantedScopes(), " ")))
	if missing := local.MissingScopes(asked, ut.GrantedScopes()); len(missing) > 0 {
		row("Not granted", strings.Join(missing, " ")+" (log in again to ask for them)")
	}
	switch left := ut.Remaining(now); {
	case ut.AccessToken == "":
		row("Access token", "none yet")
	case left > 0:
		row("Access token", fmt.Sprintf("expires in %s (%s)", left.Round(time.Minute), ut.Expiry.Local().Format("15:04")))
	default:
		row("Access token", "expired; the next `tokentray token` refreshes it")
	}
	expires := ut.RefreshExpires()
	row("Refresh token", fmt.Sprintf("authorized %s, expires %s (in %d days)",
		ut.AuthorizedAt.Local().Format("2006-01-02"), expires.Local().Format("2006-01-02"), int(expires.Sub(now).Hours()/24)))
	if ut.NeedsLogin {
		row("Login", "NEEDED: "+ut.NeedsLoginReason)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func runLogout(env *Env, args []string) error {
	fs := newFlagSet(env, "logout", "forget the stored tokens")
	all := fs.Bool("all", false, "also forget the client secret and the settings")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	// Only the store: logging out must work whatever settings.json holds.
	dir, store, err := openStore(env, *insecure)
	if err != nil {
		return err
	}
	p := &auth.Profile{Dir: dir, Store: store}
	m, err := p.Manager()
	if err != nil {
		return err
	}
	err = m.Logout(*all)
	if *all {
		err = errors.Join(err, local.RemoveSettings(p.Dir))
	}
	if err != nil {
		return err
	}
	what := "Logged out: tokens removed"
	if *all {
		what += ", client secret and settings too"
	}
	fmt.Fprintf(env.Stderr, "%s (%s).\n", what, p.Store.Describe())
	tellTray(env)
	return nil
}

func runScopes(env *Env, args []string) error {
	fs := newFlagSet(env, "scopes", "list the Spotify scopes, grouped, with what each allows")
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, group := range local.ScopeGroups() {
		fmt.Fprintf(env.Stdout, "%s:\n", group)
		for _, sc := range local.AllScopes {
			if sc.Group != group {
				continue
			}
			mark := ""
			if sc.Tray {
				mark = " (the tray needs it)"
			}
			fmt.Fprintf(env.Stdout, "  %-28s %s%s\n", sc.Name, sc.Description, mark)
		}
	}
	return nil
}
