//go:build e2e || faults

package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startupTimeout bounds how long a helper daemon (Xvfb, dbus-daemon, gnome-keyring) may
// take to become ready; on this kind of machine each needs well under a second.
const startupTimeout = 20 * time.Second

// Display is a private Xvfb server. No window manager runs: windows have no decorations.
type Display struct {
	// Number is the X display number, as in DISPLAY=:Number.
	Number int
	// Lang is the LANG given to programs: en_US.UTF-8 when that locale is installed,
	// else C.UTF-8 (Fyne logs a locale error under LANG=C).
	Lang string
	// ShotsDir receives screenshots; E2E_SHOTS overrides the default temp dir.
	ShotsDir string

	daemon *daemon
}

// StartDisplay starts Xvfb on a free display chosen by Xvfb itself (-displayfd), so
// parallel test binaries never race for a display number. Call Close when done.
func StartDisplay() (*Display, error) {
	shots, err := shotsDir()
	if err != nil {
		return nil, err
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer ready.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{readyW} // fd 3
	d, err := startDaemon(cmd)
	readyW.Close()
	if err != nil {
		return nil, err
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(ready).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	var num int
	select {
	case s := <-line:
		num, err = strconv.Atoi(s)
		if err != nil {
			d.stop()
			return nil, fmt.Errorf("start Xvfb: no display number reported (got %q): %s", s, d.stderr())
		}
	case <-time.After(startupTimeout):
		d.stop()
		return nil, fmt.Errorf("start Xvfb: not ready after %v: %s", startupTimeout, d.stderr())
	}
	fmt.Fprintf(os.Stderr, "e2e: Xvfb on :%d, screenshots go to %s\n", num, shots)
	return &Display{Number: num, Lang: pickLang(), ShotsDir: shots, daemon: d}, nil
}

// Close stops Xvfb.
func (d *Display) Close() error { return d.daemon.stop() }

// Env is what a program needs to draw on this display.
func (d *Display) Env() []string {
	if d == nil { // a headless session: the fault suite's tray needs no X server
		return []string{"LANG=C.UTF-8"}
	}
	return []string{fmt.Sprintf("DISPLAY=:%d", d.Number), "LANG=" + d.Lang}
}

// Screenshot saves the whole screen as <ShotsDir>/<test name>-<name>.png, logs the path
// and returns it.
func (d *Display) Screenshot(t testing.TB, name string) string {
	t.Helper()
	file := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name() + "-" + name + ".png")
	path := filepath.Join(d.ShotsDir, file)
	ctx, cancel := context.WithTimeout(context.Background(), startupTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "import", "-window", "root", path)
	cmd.Env = append(os.Environ(), d.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot %s: %v: %s", path, err, out)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// Clipboard returns the X CLIPBOARD selection as text; "" when nobody owns it (with no
// clipboard manager, the content vanishes when the program that set it exits).
func (d *Display) Clipboard(ctx context.Context) (string, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xclip", "-o", "-selection", "clipboard")
	cmd.Env = append(os.Environ(), d.Env()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil && strings.Contains(stderr.String(), "not available") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("xclip -o -selection clipboard: %v: %s", err, stderr.String())
	}
	return stdout.String(), nil
}

// WaitForClipboard polls the CLIPBOARD selection until pred accepts it, and returns it.
func (d *Display) WaitForClipboard(ctx context.Context, pred func(string) bool) (string, error) {
	last := "(not read yet)"
	return poll(ctx, "the clipboard to change", func(ctx context.Context) (string, bool, error) {
		text, err := d.Clipboard(ctx)
		if err != nil {
			return "", false, err
		}
		last = fmt.Sprintf("clipboard holds %q", text)
		return text, pred(text), nil
	}, func() string { return last })
}

// shotsDir is one directory per test binary, however many displays its tests start, so that a
// run's screenshots stand together and no empty directories are left behind.
var shotsDir = sync.OnceValues(func() (string, error) {
	if dir := os.Getenv("E2E_SHOTS"); dir != "" {
		return dir, os.MkdirAll(dir, 0o755)
	}
	base := filepath.Join(os.TempDir(), "tokentray-e2e-shots")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, "run-")
})

// pickLang prefers en_US.UTF-8, falling back to C.UTF-8, which glibc always has.
func pickLang() string {
	out, err := exec.Command("locale", "-a").Output()
	if err == nil {
		for _, l := range strings.Fields(string(out)) {
			if n := strings.ToLower(strings.ReplaceAll(l, "-", "")); n == "en_us.utf8" {
				return "en_US.UTF-8"
			}
		}
	}
	return "C.UTF-8"
}
