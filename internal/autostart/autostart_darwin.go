package autostart

import (
	"fmt"
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
	return filepath.Join(home, "Library", "LaunchAgents", id+".plist"), nil
}

func entryContent(program string) (string, error) { return launchAgent(program), nil }

func status() (State, error) {
	path, plist, err := readEntry()
	if err != nil || plist == nil {
		return State{Where: path}, err
	}
	program, disabled, err := parseLaunchAgent(plist)
	if err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	st := State{Where: path, Command: program, Enabled: !disabled}
	if disabled {
		st.Note = "its Disabled key switches it off"
	}
	return st, nil
}
