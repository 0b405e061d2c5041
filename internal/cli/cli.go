// Package cli implements tokentray's command line: the headless subcommands that scripts and
// other tools call, and the dispatch to the desktop app when no subcommand is given.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"tokentray/auth"
	"tokentray/internal/local"
)

// Exit codes, documented in the help text; scripts depend on them.
const (
	ExitOK         = 0
	ExitFailure    = 1
	ExitUsage      = 2
	ExitNeedsLogin = 3
	ExitOffline    = 4
)

// DesktopOptions are the flags of a plain `tokentray` start.
type DesktopOptions struct {
	Demo            bool
	InsecureStorage bool
}

// Env is what the commands touch outside themselves, so tests can drive them in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// OpenBrowser opens the login page; internal/browser.Open in production.
	OpenBrowser func(url string) error
	// RunTray runs the tray process; RunWindow the window process. main provides both, so
	// that this package stays free of Fyne and systray.
	RunTray   func(DesktopOptions) error
	RunWindow func() error
}

// usageError is bad input on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name, summary string
	run           func(env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"login", "log in to Spotify (Authorization Code flow, PKCE without a client secret)", runLogin},
		{"token", "print a valid access token (user token, or the app token with --app)", runToken},
		{"env", "print SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN for other tools", runEnv},
		{"status", "show who is logged in, scopes, token expiry and storage", runStatus},
		{"now", "show what is playing now", runNow},
		{"logout", "forget the tokens (--all: also the client secret and settings)", runLogout},
		{"reset-settings", "replace a damaged settings.json with the defaults, keeping the login and client secret", runResetSettings},
		{"scopes", "list the Spotify scopes with what each allows", runScopes},
		{"window", "open the tray's window (settings, login, tokens); the tray must be running", runWindow},
		{"autostart", autostartSummary, runAutostart},
		{"fake-spotify", "run the built-in fake Spotify for tests and demos", runFakeSpotify},
	}
}

// Main runs tokentray with args (without the program name) and returns the exit code.
func Main(args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	err := dispatch(&env, args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, "tokentray:", err)
	return exitCode(err)
}

func exitCode(err error) int {
	var usage *usageError
	var fields local.FieldErrors
	var field *local.FieldError
	var settings *local.SettingsError
	switch {
	case errors.As(err, &usage), errors.As(err, &fields), errors.As(err, &field), errors.As(err, &settings):
		return ExitUsage
	case errors.Is(err, auth.ErrNeedsLogin):
		return ExitNeedsLogin
	case errors.Is(err, auth.ErrUnreachable):
		return ExitOffline
	default:
		return ExitFailure
	}
}

func dispatch(env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		return runDesktop(env, args)
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 1 && name == "help" {
			return dispatch(env, []string{args[1], "--help"})
		}
		printUsage(env.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(env, args[1:])
		}
	}
	printUsage(env.Stderr)
	return usagef("unknown command %q (see the list above)", name)
}

func runDesktop(env *Env, args []string) error {
	fs := newFlagSet(env, "", "start the tray app (the default when no command is given)")
	demo := fs.Bool("demo", false, "run against the built-in fake Spotify: no account needed, nothing real is touched")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if env.RunTray == nil {
		return errors.New("this build has no tray")
	}
	return env.RunTray(DesktopOptions{Demo: *demo, InsecureStorage: *insecure || insecureFromEnv(env)})
}

func runWindow(env *Env, args []string) error {
	fs := newFlagSet(env, "window", "open the running tray's window")
	if err := parse(fs, args); err != nil {
		return err
	}
	if env.RunWindow == nil {
		return errors.New("this build has no window")
	}
	return env.RunWindow()
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `tokentray keeps Spotify Web API tokens fresh: a tray app, and commands for scripts.

Usage:
  tokentray [--demo] [--insecure-storage]   start the tray app
  tokentray <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'tokentray <command> --help' for a command's flags.

Exit codes: 0 ok, 1 error, 2 bad usage or input, 3 login needed, 4 Spotify unreachable.
Environment: SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET (login), TOKENTRAY_CONFIG_DIR,
TOKENTRAY_INSECURE_STORAGE=1, TOKENTRAY_ACCOUNTS_URL, TOKENTRAY_API_URL, TOKENTRAY_BROWSER.
`)
}

func newFlagSet(env *Env, name, summary string) *flag.FlagSet {
	full := strings.TrimSpace("tokentray " + name)
	fs := flag.NewFlagSet(full, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "%s: %s\n\nUsage: %s [flags]\n\nFlags:\n", full, summary, full)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and refuses stray arguments, which are always a mistake here.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see %s --help)", fs.Arg(0), fs.Name())
	}
	return nil
}

func insecureFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("insecure-storage", false, "without a system keyring, keep secrets in an unencrypted 0600 file in the config dir")
}

func insecureFromEnv(env *Env) bool {
	v := env.Getenv("TOKENTRAY_INSECURE_STORAGE")
	return v == "1" || v == "true"
}
