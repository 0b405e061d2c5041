package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyringService names tokentray's entries in the system keyring; the app and the CLI share it.
const KeyringService = "tokentray"

// Profile is one local tokentray setup: its config directory, settings and secret store. The
// CLI and the desktop app open the same profile, so they share one login.
type Profile struct {
	Dir      string
	Settings Settings
	// HasSettings is false on a first start (no settings file yet).
	HasSettings bool
	Store       SecretStore
	// AccountsURL overrides the accounts host for this profile (tests, demo mode); "" means
	// the environment or Spotify.
	AccountsURL string
}

// OpenProfile loads the settings in o.ConfigDir and opens the secret store. Without a keyring
// it fails with ErrNoKeyring unless o.Insecure allows the file fallback.
func OpenProfile(o StoreOptions) (*Profile, error) {
	settings, found, err := LoadSettings(o.ConfigDir)
	if err != nil {
		return nil, err
	}
	store, err := OpenStore(o)
	if err != nil {
		return nil, err
	}
	return &Profile{Dir: o.ConfigDir, Settings: settings, HasSettings: found, Store: store}, nil
}

// ClientSecret returns the stored client secret, or "" when none is stored (PKCE).
func (p *Profile) ClientSecret() (string, error) {
	secret, err := p.Store.Get(KeyClientSecret)
	if errors.Is(err, ErrSecretNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the client secret from %s: %w", p.Store.Describe(), err)
	}
	return secret, nil
}

// LockPath is the lock file that serialises refreshes across processes.
func (p *Profile) LockPath() string { return filepath.Join(p.Dir, "refresh.lock") }

// Manager returns a token manager for the profile's settings and stored secret.
func (p *Profile) Manager(opts ...Option) (*Manager, error) {
	secret, err := p.ClientSecret()
	if err != nil {
		return nil, err
	}
	cfg := ConfigFromSettings(p.Settings, secret)
	if p.AccountsURL != "" {
		cfg.AccountsURL = p.AccountsURL
	}
	return NewManager(cfg, p.Store, p.LockPath(), opts...), nil
}

// RemoveSettings deletes the settings file in dir (logout --all); a missing file is fine.
func RemoveSettings(dir string) error {
	err := os.Remove(filepath.Join(dir, settingsFileName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the settings: %w", err)
	}
	return nil
}
