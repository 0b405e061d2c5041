package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// entryPath is ~/Library/LaunchAgents/io.github.tokentray.plist; launchd loads the agents there
// at each login.
func entryPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the LaunchAgents directory (%v): set HOME", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", ID+".plist"), nil
}

func enable(program string) error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating the LaunchAgents directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(launchAgent(program)), 0o644); err != nil {
		return fmt.Errorf("writing the LaunchAgent: %w", err)
	}
	return nil
}

func disable() error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the LaunchAgent: %w", err)
	}
	return nil
}

func status() (State, error) {
	path, err := entryPath()
	if err != nil {
		return State{}, err
	}
	st := State{Where: path}
	plist, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("reading the LaunchAgent: %w", err)
	}
	program, disabled, err := parseLaunchAgent(plist)
	if err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	st.Command = program
	if disabled {
		st.Note = "its Disabled key switches it off"
	}
	st.Enabled = !disabled
	return st, nil
}
