//go:build unix

package local

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoadSettingsReadsOnlyASmallRegularFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		make    func(t *testing.T, path string)
		problem string
	}{
		{"symlink to /dev/zero", func(t *testing.T, path string) { must(t, os.Symlink("/dev/zero", path)) }, "is a symbolic link"},
		{"fifo", func(t *testing.T, path string) { must(t, syscall.Mkfifo(path, 0o600)) }, "is not a regular file"},
		{"directory", func(t *testing.T, path string) { must(t, os.Mkdir(path, 0o700)) }, "is a directory"},
		{"two MiB", func(t *testing.T, path string) {
			writeFileForTest(t, path, `{"client_id": "`+strings.Repeat("a", 2<<20)+`"}`)
		}, "is 2097169 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "settings.json")
			tc.make(t, path)
			done := make(chan error, 1)
			go func() { _, _, err := LoadSettings(dir); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("LoadSettings hangs") // a FIFO without a writer blocks an open for reading
			}
			var se *SettingsError
			if !errors.As(err, &se) || se.File != path || !strings.Contains(se.Problem, tc.problem) {
				t.Fatalf("LoadSettings = %v, want a *SettingsError saying %q", err, tc.problem)
			}
		})
	}
}
