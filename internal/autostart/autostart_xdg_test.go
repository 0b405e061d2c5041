//go:build !windows && !darwin

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// xdgHome points the XDG config directory at a fresh temporary one and returns where the entry
// must appear.
func xdgHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return filepath.Join(dir, "autostart", "io.github.tokentray.desktop")
}

func TestEntryWrittenReadBackAndRemoved(t *testing.T) {
	path := xdgHome(t)
	st, err := Status()
	if err != nil || st != (State{Where: path}) {
		t.Fatalf("before: Status() = %+v, %v; want off at %s", st, err, path)
	}
	if err := enable("/opt/tokentray/bin/tokentray"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `[Desktop Entry]
Type=Application
Name=tokentray
Comment=Keeps a Spotify Web API token ready in the tray and shows what is playing
Exec=/opt/tokentray/bin/tokentray
Icon=io.github.tokentray
Terminal=false
X-GNOME-Autostart-enabled=true
`
	if string(got) != want {
		t.Errorf("entry:\n%s\nwant:\n%s", got, want)
	}
	st, err = Status()
	wantOn := State{Enabled: true, Where: path, Command: "/opt/tokentray/bin/tokentray"}
	if err != nil || st != wantOn {
		t.Errorf("after enable: Status() = %+v, %v; want %+v", st, err, wantOn)
	}
	if s := st.String(); s != "on: "+path+" starts /opt/tokentray/bin/tokentray at login" {
		t.Errorf("String() = %q", s)
	}

	st, err = Disable()
	if err != nil || st != (State{Where: path}) {
		t.Errorf("Disable() = %+v, %v; want off", st, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("entry still there after Disable: %v", err)
	}
	if s := st.String(); s != "off: no "+path {
		t.Errorf("String() = %q", s)
	}
	if _, err := Disable(); err != nil {
		t.Errorf("Disable without an entry: %v", err)
	}
}

func TestEntryDefaultsToDotConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	st, err := Status()
	if want := filepath.Join(home, ".config", "autostart", "io.github.tokentray.desktop"); err != nil || st.Where != want {
		t.Errorf("Status() = %+v, %v; want the entry at %s", st, err, want)
	}
}

// The desktop's own switches leave the file in place; tokentray must still show "off".
func TestEntrySwitchedOffByTheDesktop(t *testing.T) {
	for _, tt := range []struct{ line, note string }{
		{"Hidden=true", "Hidden=true switches it off"},
		{"X-GNOME-Autostart-enabled=false", "X-GNOME-Autostart-enabled=false switches it off"},
	} {
		path := xdgHome(t)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		entry := "[Desktop Entry]\nType=Application\nName=tokentray\nExec=/usr/bin/tokentray\n" + tt.line + "\n"
		if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Status()
		want := State{Where: path, Command: "/usr/bin/tokentray", Note: tt.note}
		if err != nil || st != want {
			t.Errorf("%s: Status() = %+v, %v; want %+v", tt.line, st, err, want)
		}
		if s, want := st.String(), "off: "+path+" exists but "+tt.note; s != want {
			t.Errorf("String() = %q, want %q", s, want)
		}
	}
}

// A key of another group (an action's Exec, say) is not the entry's.
func TestEntryReadsOnlyItsGroup(t *testing.T) {
	path := xdgHome(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	entry := "[Desktop Entry]\nExec=/usr/bin/tokentray\n\n[Desktop Action demo]\nExec=/usr/bin/tokentray --demo\nHidden=true\n"
	if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Status()
	if want := (State{Enabled: true, Where: path, Command: "/usr/bin/tokentray"}); err != nil || st != want {
		t.Errorf("Status() = %+v, %v; want %+v", st, err, want)
	}
}

func TestDesktopExecQuoting(t *testing.T) {
	for _, tt := range []struct{ program, want string }{
		{"/usr/bin/tokentray", "/usr/bin/tokentray"},
		{"/home/ann/my apps/tokentray", `"/home/ann/my apps/tokentray"`},
		{"/opt/100%/tokentray", "/opt/100%%/tokentray"},
		// Quoting escapes $ and \ with a backslash; the string rule then doubles each backslash.
		{`/opt/$x\y/tokentray`, `"/opt/\\$x\\\\y/tokentray"`},
		{"/opt/it's/tokentray", `"/opt/it's/tokentray"`},
	} {
		got, err := desktopExec(tt.program)
		if err != nil || got != tt.want {
			t.Errorf("desktopExec(%q) = %q, %v; want %q", tt.program, got, err, tt.want)
		}
	}
	if _, err := desktopExec("/opt/a\nb/tokentray"); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("a path with a newline: err = %v, want one naming the line break", err)
	}
}

// `go test` runs its binary from a go-build directory, exactly the case Enable must refuse.
func TestEnableRefusesATemporaryBinary(t *testing.T) {
	path := xdgHome(t)
	exe, err := os.Executable()
	if err != nil || !strings.Contains(exe, "go-build") {
		t.Skipf("the test binary %q is not in a go-build directory (go test -c?)", exe)
	}
	_, err = Enable()
	if err == nil || !strings.Contains(err.Error(), "temporary directory") || !strings.Contains(err.Error(), "make install") {
		t.Errorf("Enable() from a go-build binary: err = %v, want the temporary-directory advice", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an entry was written anyway: %v", err)
	}
}
