package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"tokentray/internal/local"
)

// Profile is one local tokentray setup: its config directory, settings and secret store. The
// CLI and the desktop app open the same profile, so they share one login.
type Profile struct {
	Dir      string
	Settings local.Settings
	// HasSettings is false on a first start (no settings file yet).
	HasSettings bool
	Store       local.SecretStore
	// AccountsURL overrides the accounts host for this profile (tests, demo mode); "" means
	// the environment or Spotify.
	AccountsURL string
}

// OpenProfile loads the settings in o.ConfigDir and opens the secret store. Without a keyring
// it fails with ErrNoKeyring unless o.Insecure allows the file fallback.
func OpenProfile(o local.StoreOptions) (*Profile, error) {
	settings, found, err := local.LoadSettings(o.ConfigDir)
	if err != nil {
		return nil, err
	}
	store, err := local.OpenStore(o)
	if err != nil {
		return nil, err
	}
	return &Profile{Dir: o.ConfigDir, Settings: settings, HasSettings: found, Store: store}, nil
}

// ClientSecret returns the stored client secret, or "" when none is stored (PKCE).
func (p *Profile) ClientSecret() (string, error) {
	secret, err := p.Store.Get(local.KeyClientSecret)
	if errors.Is(err, local.ErrSecretNotFound) {
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

// ResetSettings replaces a damaged or unwanted settings file with the defaults, keeping what
// store holds (the login and the client secret). The client ID comes from the stored login, so
// that the login stays usable; without one there is nothing to keep, and the file is removed:
// the next start is a first start. It returns the settings now in effect.
func ResetSettings(dir string, store local.SecretStore) (local.Settings, error) {
	s := local.DefaultSettings()
	ut, err := loadJSON[UserToken](store, local.KeyUserToken)
	if err != nil && !errors.Is(err, local.ErrSecretNotFound) {
		return local.Settings{}, fmt.Errorf("resetting the settings: %w", err)
	}
	if err != nil || local.ValidateClientID(ut.ClientID) != nil {
		if err := local.RemoveSettings(dir); err != nil {
			return local.Settings{}, err
		}
		return s, nil
	}
	s.ClientID = ut.ClientID
	if granted := ut.GrantedScopes(); local.ValidateScopes(granted) == nil {
		s.Scopes = granted
	}
	// A directory or anything else in the way is removed first: the rename could not replace it.
	if info, err := os.Lstat(local.SettingsFile(dir)); err == nil && !info.Mode().IsRegular() {
		if err := os.RemoveAll(local.SettingsFile(dir)); err != nil {
			return local.Settings{}, fmt.Errorf("resetting the settings: %w", err)
		}
	}
	return s, local.SaveSettings(dir, s)
}
