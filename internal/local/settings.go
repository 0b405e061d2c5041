package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tokentray/internal/atomicfile"
	"tokentray/internal/nowplaying"
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
	// NowPlayingBudget is how many now-playing calls to the Web API any 24 hours may hold;
	// 0 never asks the Web API (the local player still shows what plays).
	NowPlayingBudget int `json:"now_playing_budget"`
	// TrackNotifications shows a notification with the cover when the track changes.
	TrackNotifications bool `json:"track_notifications"`
	// Players are the MPRIS bus-name suffixes of the local players followed, preferred in this
	// order; empty means Spotify's own client, spotifyd, ncspot and spotify_player. Read at
	// start.
	Players []string `json:"players,omitempty"`
}

// The settings' keys in settings.json; a FieldError names its field by them.
const (
	FieldClientID         = "client_id"
	FieldScopes           = "scopes"
	FieldRedirectURI      = "redirect_uri"
	FieldMinValidSeconds  = "min_valid_seconds"
	FieldClipboardClear   = "clipboard_clear_seconds"
	FieldNowPlayingBudget = "now_playing_budget"
	FieldPlayers          = "players"
)

// DefaultMinValid is how long a handed-out access token stays valid at least, unless the
// settings say otherwise: time for a script to use it.
const DefaultMinValid = 10 * time.Minute

// DefaultRedirectURI is the redirect URI users register unless they have a reason not to.
const DefaultRedirectURI = "http://127.0.0.1:8888/callback"

const settingsFileName = "settings.json"

// SettingsFile is the path of the settings file in dir.
func SettingsFile(dir string) string { return filepath.Join(dir, settingsFileName) }

// DefaultSettings returns the settings of a fresh install; only ClientID has to be filled in.
func DefaultSettings() Settings {
	return Settings{
		Scopes:                TrayScopes(),
		RedirectURI:           DefaultRedirectURI,
		MinValidSeconds:       int(DefaultMinValid / time.Second),
		ClipboardClearSeconds: 60,
		Notifications:         true,
		NowPlayingBudget:      nowplaying.DefaultBudgetCalls,
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

// maxSettingsSize bounds what LoadSettings reads: a real settings file is a few hundred bytes,
// and a device or a huge file must not fill the memory.
const maxSettingsSize = 1 << 20

// SettingsError is a settings file tokentray cannot use: which file, which field (empty when the
// file as a whole is the problem), what is wrong and how to fix it. The desktop app shows it
// with a Reset button (ResetSettings); it wraps the FieldErrors of a failed validation.
type SettingsError struct {
	File    string
	Field   string // e.g. "min_valid_seconds"; several are comma-separated; "" for the whole file
	Problem string
	Fix     string
	Err     error // the cause: FieldErrors, a JSON syntax error or a file-system error
}

func (e *SettingsError) Error() string {
	where := "settings file " + e.File
	if e.Field != "" {
		where += ", " + e.Field
	}
	return where + ": " + e.Problem + ". " + e.Fix
}

func (e *SettingsError) Unwrap() error { return e.Err }

// fixByReset ends every SettingsError's advice.
const fixByReset = "Repair it, or run `tokentray reset-settings` (or press Reset settings in the window) to start again " +
	"from the defaults; your login and client secret are kept."

// LoadSettings reads settings.json from dir. A missing file gives DefaultSettings() and
// found == false; fields absent from the file keep their defaults. Only a regular file of at
// most 1 MiB is read, and its content is validated: anything else is a *SettingsError, never
// silently replaced, because the user may want to repair it.
func LoadSettings(dir string) (s Settings, found bool, err error) {
	path := filepath.Join(dir, settingsFileName)
	fail := func(field, problem string, cause error) (Settings, bool, error) {
		return Settings{}, false, &SettingsError{File: path, Field: field, Problem: problem, Fix: fixByReset, Err: cause}
	}
	data, err := atomicfile.ReadFile(path, maxSettingsSize)
	var notRegular *atomicfile.NotRegularError
	var tooLarge *atomicfile.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return DefaultSettings(), false, nil
	case errors.As(err, &notRegular) && notRegular.Mode.IsDir():
		return fail("", notRegular.Problem()+"; remove it (it is not tokentray's)", nil)
	case errors.As(err, &notRegular):
		return fail("", notRegular.Problem(), nil)
	case errors.As(err, &tooLarge):
		return fail("", fmt.Sprintf("is %d bytes; a settings file is a few hundred, and at most %d are read", tooLarge.Size, maxSettingsSize), nil)
	case err != nil:
		return fail("", fmt.Sprintf("cannot be read (%v)", err), err)
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		return fail("", "does not hold a JSON object", nil)
	}
	s = DefaultSettings()
	if err := json.Unmarshal(data, &s); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return fail(typ.Field, fmt.Sprintf("has the wrong type (%s where %s belongs)", typ.Value, typ.Type), err)
		}
		return fail("", fmt.Sprintf("is damaged (%v)", err), err)
	}
	if err := s.Validate(); err != nil {
		var fields FieldErrors
		errors.As(err, &fields)
		names := make([]string, len(fields))
		problems := make([]string, len(fields))
		for i, fe := range fields {
			names[i], problems[i] = fe.Field, fe.Problem+" ("+fe.Fix+")"
		}
		return fail(strings.Join(names, ", "), strings.Join(problems, "; "), err)
	}
	return s, true, nil
}

// SettingsWorldReadable reports whether the settings file in dir can be read by other users, for
// a warning: it holds no secret, but the client ID and the options are the user's business.
func SettingsWorldReadable(dir string) bool {
	info, err := os.Lstat(filepath.Join(dir, settingsFileName))
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o077 != 0
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
	return atomicfile.WriteFile(filepath.Join(dir, settingsFileName), append(data, '\n'))
}

// makePrivateDir creates dir (and missing parents) readable by the user only. An existing
// directory keeps its mode: it may be shared on purpose, and the files in it are 0600 anyway.
func makePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the configuration directory: %w", err)
	}
	return nil
}

// RemoveSettings deletes the settings file in dir (logout --all); a missing file is fine.
func RemoveSettings(dir string) error {
	err := os.Remove(filepath.Join(dir, settingsFileName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the settings: %w", err)
	}
	return nil
}
