// Package autostart starts tokentray when the user logs in: an XDG autostart entry on Linux and
// the BSDs, a value under HKCU\Software\Microsoft\Windows\CurrentVersion\Run on Windows, a
// LaunchAgent on macOS. The state it reports is always read back from the system, never from a
// remembered flag, so a user who removes the entry elsewhere sees the truth.
package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tokentray/assets"
)

// id names the entry on every system: the app ID, also the name of the .desktop file
// `make install` writes.
const id = assets.AppID

// State is what the system says about starting tokentray at login.
type State struct {
	Enabled bool
	// Where names the entry: a file, or a registry value.
	Where string
	// Command is what the entry runs, as the system stores it ("" without an entry).
	Command string
	// Note says why an entry that exists does not start tokentray (it was switched off in the
	// desktop's own settings).
	Note string
}

// String reads as one line for `tokentray autostart status`.
func (s State) String() string {
	switch {
	case s.Enabled:
		return fmt.Sprintf("on: %s starts %s at login", s.Where, s.Command)
	case s.Note != "":
		return fmt.Sprintf("off: %s exists but %s", s.Where, s.Note)
	default:
		return fmt.Sprintf("off: no %s", s.Where)
	}
}

// Status reads the entry from the system.
func Status() (State, error) { return status() }

// Enable makes the running binary start at login, replacing any earlier entry, and returns the
// state read back.
func Enable() (State, error) {
	program, err := Program()
	if err != nil {
		return State{}, err
	}
	if err := enable(program); err != nil {
		return State{}, err
	}
	st, err := status()
	if err == nil && !st.Enabled {
		err = fmt.Errorf("wrote the entry, but the system reads it back as %s", st)
	}
	return st, err
}

// Disable removes the entry; no entry is not an error. It returns the state read back.
func Disable() (State, error) {
	if err := disable(); err != nil {
		return State{}, err
	}
	return status()
}

// Program returns the absolute path of the running binary with symlinks resolved, so the entry
// keeps working when a symlink is changed. A binary in the temporary directory (`go run`, `go
// test`) is refused: it is deleted when the command ends, and the entry would start nothing.
func Program() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot tell where the tokentray binary is (%v): start it by its full path and try again", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	if inTempDir(exe) {
		return "", fmt.Errorf("tokentray runs from a temporary directory (%s), as under `go run`, and may be gone at the next login: "+
			"install it (`make install` puts it in ~/.local/bin) and turn this on from the installed binary", exe)
	}
	return exe, nil
}

// inTempDir reports whether path lies in the system's temporary directory or in a go build
// directory (GOTMPDIR can move those elsewhere).
func inTempDir(path string) bool {
	for _, elem := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		if strings.HasPrefix(elem, "go-build") {
			return true
		}
	}
	tmp := os.TempDir()
	if resolved, err := filepath.EvalSymlinks(tmp); err == nil {
		tmp = resolved
	}
	rel, err := filepath.Rel(tmp, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
