package trayproc

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// windowStarter starts the window process, `tokentray window`, which connects back to the
// tray's socket. One runs at a time: while it runs, a click does not start another (the
// socket raises the connected one; one that still starts shows itself).
type windowStarter struct {
	configDir string
	apiURL    string

	mu      sync.Mutex
	running bool
}

func newWindowStarter(configDir, apiURL string) *windowStarter {
	return &windowStarter{configDir: configDir, apiURL: apiURL}
}

func (w *windowStarter) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot find its own program to open the window: %v\n", err)
		return
	}
	cmd := exec.Command(exe, "window")
	// The window finds the tray by the config directory, which demo mode chose for itself, and
	// takes covers from the tray's Web API (in demo mode the fake's, which serves them).
	cmd.Env = append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+w.configDir, "TOKENTRAY_API_URL="+w.apiURL)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot open the window: %v\n", err)
		return
	}
	w.running = true
	go func() {
		err := cmd.Wait()
		if err != nil {
			fmt.Fprintf(os.Stderr, "tokentray: the window process ended: %v\n", err)
		}
		w.mu.Lock()
		w.running = false
		w.mu.Unlock()
	}()
}
