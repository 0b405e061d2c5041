//go:build e2e

package e2e

import (
	"fmt"
	"os"
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
	started := time.Now()
	// The race detector in the app under test turns a data race during a journey into a
	// failure (see checkRaces); a warm rebuild with -race takes about 3 s.
	desk, err := harness.StartDesktop("..", "tokentray", "-race")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer desk.Close()
	display, shared, binary = desk.Display, desk.Session, desk.Binary
	fmt.Fprintf(os.Stderr, "e2e: desktop up and %s built with -race in %v\n", binary, time.Since(started).Round(100*time.Millisecond))
	return m.Run()
}
