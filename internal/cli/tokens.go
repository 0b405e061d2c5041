package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/trayapi"
)

func runToken(env *Env, args []string) error {
	fs := newFlagSet(env, "token", "print only a valid access token, refreshing it if needed")
	app := fs.Bool("app", false, "print an app-only Client Credentials token instead of the user token")
	asJSON := fs.Bool("json", false, `print {"access_token","token_type","expires_at","scope"} instead`)
	minValid := fs.Duration("min-valid", 0, "the token must stay valid at least this long (default: the setting, 10m)")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *minValid != 0 {
		if err := local.CheckMinValid(*minValid); err != nil {
			return usagef("--min-valid %s: %v", *minValid, err)
		}
	}
	// A running tray answers from its cache and is the only process that refreshes, so that a
	// PKCE refresh token rotates in one place.
	tray, err := runningTray()
	if err != nil {
		return err
	}
	fromTray, err := tray.Token(*app, *minValid)
	switch {
	case err == nil:
		return printToken(env, *fromTray, *asJSON)
	case !trayapi.Absent(err):
		return err
	}
	// Refreshing here is safe beside a tray that did not answer: the refresh lock lets one
	// process refresh at a time, and each reads the stored (maybe rotated) login under it.
	noteAbsent(env, err)
	_, m, err := openManager(env, *insecure, func(s *local.Settings) {
		if *minValid > 0 {
			s.MinValidSeconds = int(minValid.Seconds())
		}
	})
	if err != nil {
		return err
	}
	ctx, cancel := commandContext(time.Minute)
	defer cancel()
	var tok *oauth2.Token
	if *app {
		tok, err = m.AppToken(ctx)
	} else {
		tok, err = m.Token(ctx)
	}
	if err != nil {
		return err
	}
	return printToken(env, trayapi.TokenFrom(tok), *asJSON)
}

// printToken prints only the token, as scripts expect, or with --json its details.
func printToken(env *Env, tok trayapi.Token, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Fprintln(env.Stdout, tok.AccessToken)
		return err
	}
	return writeJSON(env.Stdout, tok)
}

func runEnv(env *Env, args []string) error {
	fs := newFlagSet(env, "env", "print the credentials a \"now playing\" site or script needs")
	format := fs.String("format", "dotenv", "dotenv, shell (export lines) or json")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains(auth.EnvFormats, *format) {
		return usagef("--format %q: choose one of %s", *format, strings.Join(auth.EnvFormats, ", "))
	}
	p, m, err := openManager(env, *insecure, nil)
	if err != nil {
		return err
	}
	creds, err := m.ToolCredentials()
	if err != nil {
		return err
	}
	if creds.PKCE() {
		fmt.Fprintln(env.Stderr, "tokentray: warning: this login used PKCE, whose refresh tokens rotate: the first refresh by"+
			" either tokentray or the other tool revokes the copy the other holds. For a tool, log in with the client secret.")
	}
	fmt.Fprintln(env.Stderr, "tokentray: note:", nowplaying.SharedQuotaNote(p.Settings.NowPlayingBudget))
	text, err := creds.Format(*format)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(env.Stdout, text)
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
