//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tokentray/e2e/harness"
)

// Shared by every test of this binary: one X server, one bus with a keyring (for the journeys
// that run one after another), one build of tokentray.
var (
	display *harness.Display
	shared  *harness.Session
	binary  string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	var err error
	if display, err = harness.StartDisplay(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer display.Close()
	if shared, err = harness.StartSession(display, harness.SessionOptions{Keyring: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer shared.Close()

	dir, err := os.MkdirTemp("", "tokentray-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "tokentray")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// The race detector in the app under test turns a data race during a journey into a
	// failure (see checkRaces); a warm rebuild with -race takes about 3 s.
	started := time.Now()
	if err := harness.Build(ctx, "..", binary, "-race"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: built %s with -race in %v\n", binary, time.Since(started).Round(100*time.Millisecond))
	return m.Run()
}
