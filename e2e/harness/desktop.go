//go:build e2e || faults

package harness

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// Desktop is what one test binary shares: an X server, a session bus with an unlocked
// keyring, and one build of the program under test.
type Desktop struct {
	Display *Display
	Session *Session
	Binary  string
	binDir  string
}

// StartDesktop starts the display and the session and builds pkg (with buildFlags) as name in
// a temporary directory. Call Close when the tests are done; on an error StartDesktop has
// stopped what it started.
func StartDesktop(pkg, name string, buildFlags ...string) (*Desktop, error) {
	d := &Desktop{}
	if err := d.start(pkg, name, buildFlags); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *Desktop) start(pkg, name string, buildFlags []string) error {
	var err error
	if d.Display, err = StartDisplay(); err != nil {
		return err
	}
	if d.Session, err = StartSession(d.Display, SessionOptions{Keyring: true}); err != nil {
		return err
	}
	if d.binDir, err = os.MkdirTemp("", "e2e-bin-"); err != nil {
		return err
	}
	d.Binary = filepath.Join(d.binDir, name)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	return Build(ctx, pkg, d.Binary, buildFlags...)
}

// Close stops everything StartDesktop started, in reverse order.
func (d *Desktop) Close() {
	if d.binDir != "" {
		os.RemoveAll(d.binDir)
	}
	if d.Session != nil {
		d.Session.Close()
	}
	if d.Display != nil {
		d.Display.Close()
	}
}
