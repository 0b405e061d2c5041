//go:build !windows && !darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// entryPath is $XDG_CONFIG_HOME/autostart/io.github.tokentray.desktop (~/.config when unset),
// where the XDG Autostart specification has desktops look for a user's own entries.
func entryPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the autostart directory (%v): set HOME or XDG_CONFIG_HOME", err)
	}
	return filepath.Join(dir, "autostart", id+".desktop"), nil
}

// entryContent is the autostart file for program.
func entryContent(program string) (string, error) {
	exec, err := desktopExec(program)
	if err != nil {
		return "", err
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=tokentray\n" +
		"Comment=Keeps a Spotify Web API token ready in the tray and shows what is playing\n" +
		"Exec=" + exec + "\n" +
		"Icon=" + id + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n", nil
}

// desktopExec writes program as the Exec key's one argument, quoted and escaped as the Desktop
// Entry specification asks: a path with a space or another reserved character goes in double
// quotes with " ` $ \ escaped, then the string rule doubles every backslash again; a literal %
// is %% because % starts a field code.
func desktopExec(program string) (string, error) {
	if strings.ContainsAny(program, "\n\r") {
		return "", fmt.Errorf("the tokentray binary's path %q contains a line break, which an autostart entry cannot hold: move the binary", program)
	}
	arg := strings.ReplaceAll(program, "%", "%%")
	if strings.ContainsAny(arg, " \t\"'\\><~|&;$*?#()`") {
		arg = `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`).Replace(arg) + `"`
	}
	return strings.ReplaceAll(arg, `\`, `\\`), nil
}

// status reads the entry. Desktops skip an entry with Hidden=true, and GNOME one with
// X-GNOME-Autostart-enabled=false (what its Tweaks and Startup Applications write), so both
// count as off.
func status() (State, error) {
	path, entry, err := readEntry()
	if err != nil || entry == nil {
		return State{Where: path}, err
	}
	st := State{Where: path}
	inEntry := false
	for _, line := range strings.Split(string(entry), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inEntry = line == "[Desktop Entry]"
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !inEntry || !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "Exec":
			st.Command = value
		case key == "Hidden" && value == "true":
			st.Note = "Hidden=true switches it off"
		case key == "X-GNOME-Autostart-enabled" && value == "false":
			st.Note = "X-GNOME-Autostart-enabled=false switches it off"
		}
	}
	st.Enabled = st.Note == ""
	return st, nil
}
