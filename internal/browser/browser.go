// Package browser opens URLs in the user's browser, for the login flow of the CLI and the app.
package browser

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// Open starts the browser on url without waiting for it to exit. TOKENTRAY_BROWSER (a program
// given the URL as its only argument) wins over the platform's opener, so tests and users with
// an unusual setup can choose what handles the login page.
func Open(url string) error {
	name, args := opener(url)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	// Reap the opener in the background; xdg-open and friends exit quickly.
	go cmd.Wait() //nolint:errcheck // the browser's exit status is not ours to judge.
	return nil
}

func opener(url string) (string, []string) {
	if prog := os.Getenv("TOKENTRAY_BROWSER"); prog != "" {
		return prog, []string{url}
	}
	switch runtime.GOOS {
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	case "darwin":
		return "open", []string{url}
	default:
		return "xdg-open", []string{url}
	}
}
