//go:build faults

package faults

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
)

// desktop is a profile whose programs share a private desktop session (e2e/harness): a D-Bus
// session bus on which the test is the tray host and the notification server. No X server:
// the resident tray needs none until something is copied.
type desktop struct {
	*profile
	session *harness.Session
}

// newDesktop points a file-store profile at accountsURL inside a session of its own.
func newDesktop(t *testing.T, accountsURL string) *desktop {
	t.Helper()
	p := newProfile(t, accountsURL, false)
	s := harness.NewSession(t, nil, harness.SessionOptions{})
	p.env = append(slices.Clone(s.Env()), p.env...) // the profile's HOME and config dir win
	return &desktop{profile: p, session: s}
}

// loggedInDesktop starts a fake and a desktop profile logged in to it with PKCE.
func loggedInDesktop(t *testing.T) (*fakespotify.Server, *desktop) {
	t.Helper()
	fake := startFake(t)
	d := newDesktop(t, fake.URL())
	d.login("")
	return fake, d
}

// startTray starts the resident tray (tokentray with no arguments) and returns once its item
// is on the session's tray host, by when its socket answers.
func (d *desktop) startTray(t *testing.T) *proc {
	t.Helper()
	pr := d.start(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := d.session.WaitForItem(ctx); err != nil {
		pr.Cmd.Process.Kill()
		t.Fatalf("the tray never showed its item: %v\nstderr:\n%s", err, pr.Stderr())
	}
	t.Cleanup(func() { pr.Cmd.Process.Signal(os.Interrupt) })
	return pr
}
