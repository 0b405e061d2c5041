package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Settings is what the user configures; it lives in settings.json in the config directory and
// never holds a secret (the client secret and tokens go to a SecretStore).
type Settings struct {
	ClientID              string   `json:"client_id"`
	Scopes                []string `json:"scopes"`
	RedirectURI           string   `json:"redirect_uri"`
	MinValidSeconds       int      `json:"min_valid_seconds"`
	ClipboardClearSeconds int      `json:"clipboard_clear_seconds"` // 0 = never clear
	Notifications         bool     `json:"notifications"`
}

// DefaultRedirectURI is the redirect URI users register unless they have a reason not to.
const DefaultRedirectURI = "http://127.0.0.1:8888/callback"

const settingsFileName = "settings.json"

// DefaultSettings returns the settings of a fresh install; only ClientID has to be filled in.
func DefaultSettings() Settings {
	return Settings{
		Scopes:                TrayScopes(),
		RedirectURI:           DefaultRedirectURI,
		MinValidSeconds:       600,
		ClipboardClearSeconds: 60,
		Notifications:         true,
	}
}

// ConfigDir returns TOKENTRAY_CONFIG_DIR if set, else the tokentray directory in the user's
// configuration directory (~/.config/tokentray on Linux).
func ConfigDir() (string, error) {
	if dir := os.Getenv("TOKENTRAY_CONFIG_DIR"); dir != "" {
		return dir, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your configuration directory (%w): set TOKENTRAY_CONFIG_DIR to a directory tokentray may use", err)
	}
	return filepath.Join(base, "tokentray"), nil
}

// LoadSettings reads settings.json from dir. A missing file gives DefaultSettings() and
// found == false; fields absent from the file keep their defaults. A damaged file is an error,
// never silently replaced: the user may want to repair it.
func LoadSettings(dir string) (s Settings, found bool, err error) {
	path := filepath.Join(dir, settingsFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultSettings(), false, nil
	}
	if err != nil {
		return Settings{}, false, fmt.Errorf("reading settings: %w", err)
	}
	s = DefaultSettings()
	if err := json.Unmarshal(data, &s); err != nil {
		return Settings{}, false, fmt.Errorf("settings file %s is damaged (%v): repair it, or delete it to start again from the defaults", path, err)
	}
	return s, true, nil
}

// SaveSettings validates s and, only if it is valid, replaces settings.json in dir atomically.
func SaveSettings(dir string, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := makePrivateDir(dir); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, settingsFileName), append(data, '\n'))
}

// makePrivateDir creates dir (and missing parents) readable by the user only. An existing
// directory keeps its mode: it may be shared on purpose, and the files in it are 0600 anyway.
func makePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the configuration directory: %w", err)
	}
	return nil
}

// writeFileAtomic replaces path with data (mode 0600) so that a reader, even in another process,
// sees either the old or the new content, and a crash never leaves a half-written file: the data
// goes to a temporary file in the same directory, is synced, and is renamed over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // created with mode 0600
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return fsyncDir(dir)
}

// fsyncDir makes a rename durable. Windows cannot sync a directory handle, and its rename is
// journaled by NTFS anyway.
func fsyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
