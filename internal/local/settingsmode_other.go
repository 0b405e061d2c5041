//go:build !windows

package local

import (
	"os"
	"path/filepath"
)

// SettingsWorldReadable reports whether the settings file in dir can be read by other users, for
// a warning: it holds no secret, but the client ID and the options are the user's business.
func SettingsWorldReadable(dir string) bool {
	info, err := os.Lstat(filepath.Join(dir, settingsFileName))
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o077 != 0
}
