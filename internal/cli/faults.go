package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/internal/local"
)

// This file holds what keeps the commands safe when things go wrong: a stop signal that waits
// for a refresh in flight, warnings on the terminal, and ways out of a damaged settings file.

// commandContext bounds a headless command so that a script never hangs on the network, and
// ends it early on SIGINT or SIGTERM. The signals are caught, not fatal, for as long as the
// command runs: a refresh in flight then finishes and saves the rotated refresh token (see
// auth.Manager) before the command returns, instead of the process dying with the only valid
// copy of the login in memory.
func commandContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}

// warnTo sends the token manager's warnings (a save being retried, an odd token answer) to the
// terminal, where the user running the command sees them.
func warnTo(env *Env) auth.Option {
	return auth.WithWarnings(func(msg string) { fmt.Fprintf(env.Stderr, "tokentray: warning: %s\n", msg) })
}

// openStore opens only the secret store, for commands that must work whatever settings.json
// holds (logout, reset-settings).
func openStore(env *Env, insecure bool) (dir string, store local.SecretStore, err error) {
	dir, err = local.ConfigDir()
	if err != nil {
		return "", nil, err
	}
	store, err = local.OpenStore(local.StoreOptions{Service: local.KeyringService, ConfigDir: dir, Insecure: insecure || insecureFromEnv(env)})
	if err != nil {
		return "", nil, err
	}
	if store.Insecure() {
		fmt.Fprintf(env.Stderr, "tokentray: warning: secrets are stored unencrypted (%s)\n", store.Describe())
	}
	return dir, store, nil
}

func runResetSettings(env *Env, args []string) error {
	fs := newFlagSet(env, "reset-settings", "replace settings.json with the defaults, keeping the login and client secret")
	insecure := insecureFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, store, err := openStore(env, *insecure)
	if err != nil {
		return err
	}
	s, err := auth.ResetSettings(dir, store)
	if err != nil {
		return err
	}
	if s.ClientID == "" {
		fmt.Fprintln(env.Stderr, "Settings removed: no login is stored, so the next start asks for the client ID.")
	} else {
		fmt.Fprintf(env.Stderr, "Settings reset to the defaults for client ID %s; the login and client secret are kept.\n", s.ClientID)
	}
	tellTray(env)
	return nil
}
