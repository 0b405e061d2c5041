package local

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzLoadSettings(f *testing.F) {
	f.Add(`{"client_id":"0123456789abcdef0123456789abcdef"}`)
	f.Add(`{"client_id":"0123456789abcdef0123456789abcdef","scopes":["user-read-email"],"min_valid_seconds":600}`)
	f.Add(`null`)
	f.Add(`{"min_valid_seconds":99999}`)
	f.Add(`{"client_id":7}`)
	f.Add(`[]`)
	f.Add(`{"client_id":"0123456789abcdef0123456789abcdef"} trailing`)
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "settings.json"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s, found, err := LoadSettings(dir)
		var se *SettingsError
		switch {
		case err == nil && (!found || s.Validate() != nil):
			t.Fatalf("accepted %q as %+v (found %v)", content, s, found)
		case err != nil && (!errors.As(err, &se) || se.File != filepath.Join(dir, "settings.json") || se.Fix == ""):
			t.Fatalf("refused %q without a *SettingsError naming the file and the fix: %v", content, err)
		}
	})
}
