//go:build !windows && !darwin

package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The Options checkbox shows the XDG autostart entry as it is on disk and changes it there.
func TestOptionsAutostart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	entry := filepath.Join(dir, "autostart", "io.github.tokentray.desktop")
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entry, []byte("[Desktop Entry]\nExec=/usr/bin/tokentray\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, loggedInState())
	o := h.win.options
	if !o.autostart.Checked {
		t.Fatal("an entry exists, but the box is not ticked")
	}

	test.Tap(o.autostart) // on → off
	if _, err := os.Stat(entry); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("entry still there after unticking: %v", err)
	}
	if o.autostart.Checked {
		t.Error("box still ticked after the entry was removed")
	}
	assertMessage(t, o.msg, "Start at login is off: no "+entry+".", widget.SuccessImportance)

	// The test binary lives in a go-build directory: turning it on must refuse, and the box
	// must go back to what the system says.
	test.Tap(o.autostart)
	if o.autostart.Checked {
		t.Error("box ticked although no entry was written")
	}
	if _, err := os.Stat(entry); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an entry was written for a temporary binary: %v", err)
	}
	assertMessage(t, o.msg, "temporary directory", widget.DangerImportance)
	if len(h.backend.saves) != 0 {
		t.Errorf("the checkbox saved settings %d times; it is not a setting", len(h.backend.saves))
	}
}
