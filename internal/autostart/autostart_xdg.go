//go:build !windows && !darwin

package autostart

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
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
	return filepath.Join(dir, "autostart", ID+".desktop"), nil
}

// desktopEntry is the autostart file for program.
func desktopEntry(program string) (string, error) {
	exec, err := desktopExec(program)
	if err != nil {
		return "", err
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=tokentray\n" +
		"Comment=Keeps a Spotify Web API token ready in the tray and shows what is playing\n" +
		"Exec=" + exec + "\n" +
		"Icon=" + ID + "\n" +
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

func enable(program string) error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	entry, err := desktopEntry(program)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating the autostart directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	return nil
}

func disable() error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the autostart entry: %w", err)
	}
	return nil
}

// status reads the entry. Desktops skip an entry with Hidden=true, and GNOME one with
// X-GNOME-Autostart-enabled=false (what its Tweaks and Startup Applications write), so both
// count as off.
func status() (State, error) {
	path, err := entryPath()
	if err != nil {
		return State{}, err
	}
	st := State{Where: path}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("reading the autostart entry: %w", err)
	}
	defer f.Close()
	inEntry := false
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
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
	if err := lines.Err(); err != nil {
		return State{}, fmt.Errorf("reading the autostart entry: %w", err)
	}
	st.Enabled = st.Note == ""
	return st, nil
}
