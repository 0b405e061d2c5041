package cli

import (
	"errors"
	"fmt"

	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/trayapi"
	"tokentray/internal/webapi"
)

// runningTray returns a client for the tray of the user's config directory. Its calls fail with
// trayapi.ErrNoTray when none runs; the command then works on its own.
func runningTray() (*trayapi.Client, error) {
	dir, err := local.ConfigDir()
	if err != nil {
		return nil, err
	}
	return trayapi.NewClient(dir), nil
}

// noteAbsent tells the user why a command works without the tray that runs: it did not answer
// in time, or was busy. Nothing is said when no tray runs, the usual case.
func noteAbsent(env *Env, err error) {
	if !errors.Is(err, trayapi.ErrNoTray) {
		fmt.Fprintf(env.Stderr, "tokentray: note: %v; working without it\n", err)
	}
}

// tellTray asks a running tray to read the settings and the login again after a command changed
// them; without a tray there is nobody to tell.
func tellTray(env *Env) {
	tray, err := runningTray()
	if err == nil {
		err = tray.Reload()
	}
	if err != nil && !errors.Is(err, trayapi.ErrNoTray) {
		fmt.Fprintf(env.Stderr, "tokentray: warning: the running tray did not take the change (%v); quit and start it again\n", err)
	}
}

// openProfile opens the user's profile and warns, on every use, when secrets sit in a file.
func openProfile(env *Env, insecure bool) (*auth.Profile, error) {
	dir, err := local.ConfigDir()
	if err != nil {
		return nil, err
	}
	p, err := auth.OpenProfile(local.StoreOptions{Service: local.KeyringService, ConfigDir: dir, Insecure: insecure || insecureFromEnv(env)})
	if err != nil {
		return nil, err
	}
	if p.Store.Insecure() {
		fmt.Fprintf(env.Stderr, "tokentray: warning: secrets are stored unencrypted (%s)\n", p.Store.Describe())
	}
	if local.SettingsWorldReadable(dir) {
		fmt.Fprintf(env.Stderr, "tokentray: warning: other users can read the settings in %s: run chmod 600 on its settings.json\n", dir)
	}
	return p, nil
}

// openManager opens the profile of a user who has set tokentray up, with a token manager;
// adjust may change the settings for this one command (e.g. --min-valid).
func openManager(env *Env, insecure bool, adjust func(*local.Settings)) (*auth.Profile, *auth.Manager, error) {
	p, err := openProfile(env, insecure)
	if err != nil {
		return nil, nil, err
	}
	if !p.HasSettings {
		return nil, nil, fmt.Errorf("%w: no settings in %s yet", auth.ErrNeedsLogin, p.Dir)
	}
	if adjust != nil {
		adjust(&p.Settings)
	}
	m, err := p.Manager(warnTo(env))
	if err != nil {
		return nil, nil, err
	}
	return p, m, nil
}

func apiClient(m *auth.Manager) *webapi.Client {
	return &webapi.Client{BaseURL: auth.APIURL(), Tokens: m}
}
