//go:build !windows && !darwin

package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAutostart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	entry := filepath.Join(dir, "autostart", "io.github.tokentray.desktop")

	code, out, errOut := run(t, "", "autostart", "status")
	if code != ExitOK || out != "off: no "+entry+"\n" || errOut != "" {
		t.Errorf("status without an entry: %d, %q, %q", code, out, errOut)
	}

	// The test binary runs from a go-build directory, which `on` must refuse.
	code, out, errOut = run(t, "", "autostart", "on")
	if code != ExitFailure || out != "" || !strings.Contains(errOut, "temporary directory") {
		t.Errorf("on from a go-build binary: %d, %q, %q", code, out, errOut)
	}

	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entry, []byte("[Desktop Entry]\nExec=/usr/bin/tokentray\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "", "autostart", "status")
	if code != ExitOK || out != "on: "+entry+" starts /usr/bin/tokentray at login\n" {
		t.Errorf("status with an entry: %d, %q", code, out)
	}
	code, out, _ = run(t, "", "autostart", "off")
	if code != ExitOK || out != "off: no "+entry+"\n" {
		t.Errorf("off: %d, %q", code, out)
	}
	if _, err := os.Stat(entry); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry still there after off: %v", err)
	}
}

func TestAutostartUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, args := range [][]string{{"autostart"}, {"autostart", "maybe"}, {"autostart", "on", "off"}, {"autostart", "--now"}} {
		code, out, errOut := run(t, "", args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, "tokentray:") {
			t.Errorf("%q: %d, %q, %q; want exit 2 with a message", args, code, out, errOut)
		}
	}
	code, _, errOut := run(t, "", "autostart", "--help")
	if code != ExitOK || !strings.Contains(errOut, "Usage: tokentray autostart on|off|status") {
		t.Errorf("--help: %d, %q", code, errOut)
	}
}
