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
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// KeyringPassword unlocks the session's login keyring.
const KeyringPassword = "e2e-password"

// SessionOptions choose what a Session provides besides the bus, tray host and
// notification server.
type SessionOptions struct {
	// Keyring starts gnome-keyring-daemon's Secret Service, unlocked. Without it nothing
	// owns org.freedesktop.secrets and the bus cannot activate it: the "keyring absent"
	// journey.
	Keyring bool
	// Panel runs a real xfce4-panel as the tray host (it owns the StatusNotifierWatcher)
	// instead of the harness's own watcher; WaitForItem then returns the panel's newest item.
	Panel *PanelOptions
}

// Session is a private desktop session on a Display: its own HOME and XDG dirs, its own
// D-Bus session bus on which the harness is the tray host (StatusNotifierWatcher) and
// the notification server, and optionally an unlocked gnome-keyring.
type Session struct {
	Display *Display
	// Home is the private HOME; XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME are
	// under it.
	Home string
	// RuntimeDir is XDG_RUNTIME_DIR (mode 0700); the bus socket lives in it.
	RuntimeDir string
	// BusAddress is DBUS_SESSION_BUS_ADDRESS of the private bus.
	BusAddress string

	root    string
	bus     *daemon
	keyring *daemon
	conn    *dbus.Conn
	tray    *trayHost // nil when a panel is the tray host
	panel   *Panel
	notes   *notificationServer
}

// NewSession starts a session closed when the test ends; for a per-test bus, e.g. one
// without a keyring while TestMain's session has one.
func NewSession(t testing.TB, d *Display, o SessionOptions) *Session {
	t.Helper()
	s, err := StartSession(d, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Logf("close session: %v", err)
		}
	})
	return s
}

// StartSession starts a session; call Close when done (TestMain has no testing.T).
func StartSession(d *Display, o SessionOptions) (s *Session, err error) {
	root, err := os.MkdirTemp("", "tokentray-e2e-")
	if err != nil {
		return nil, err
	}
	s = &Session{Display: d, root: root, Home: filepath.Join(root, "home"), RuntimeDir: filepath.Join(root, "run")}
	defer func() {
		if err != nil {
			s.Close()
			s = nil
		}
	}()
	for _, dir := range []string{s.Home, s.RuntimeDir, filepath.Join(s.Home, ".config"), filepath.Join(s.Home, ".local", "share"), filepath.Join(s.Home, ".cache")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return s, err
		}
	}
	if err := s.startBus(); err != nil {
		return s, err
	}
	if s.conn, err = dbus.Connect(s.BusAddress); err != nil {
		return s, fmt.Errorf("connect to private bus %s: %v", s.BusAddress, err)
	}
	if o.Panel != nil {
		if err := s.startPanel(*o.Panel); err != nil {
			return s, err
		}
	} else if s.tray, err = exportTrayHost(s.conn); err != nil {
		return s, err
	}
	if s.notes, err = exportNotificationServer(s.conn); err != nil {
		return s, err
	}
	if o.Keyring {
		if err := s.startKeyring(); err != nil {
			return s, err
		}
	}
	return s, nil
}

// busConfig is a session bus with no service directories: nothing is D-Bus-activated, so
// the system's org.freedesktop.secrets.service cannot start a second, locked keyring.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

func (s *Session) startBus() error {
	config := filepath.Join(s.root, "bus.conf")
	if err := os.WriteFile(config, fmt.Appendf(nil, busConfig, filepath.Join(s.RuntimeDir, "bus")), 0o600); err != nil {
		return err
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--print-address")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if s.bus, err = startDaemon(cmd); err != nil {
		return err
	}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case s.BusAddress = <-addr:
	case <-time.After(startupTimeout):
	}
	if s.BusAddress == "" {
		return fmt.Errorf("dbus-daemon printed no address within %v: %s", startupTimeout, s.bus.stderr())
	}
	return nil
}

// startKeyring runs gnome-keyring-daemon in the foreground (so the harness owns the
// process and no daemon escapes), unlocking the login keyring with KeyringPassword from
// stdin, and waits until the default collection is unlocked.
func (s *Session) startKeyring() error {
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = s.Env()
	cmd.Stdin = strings.NewReader(KeyringPassword)
	var err error
	if s.keyring, err = startDaemon(cmd); err != nil {
		return err
	}
	collection := s.conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default")
	_, err = poll(context.Background(), "gnome-keyring's default collection to be unlocked", func(ctx context.Context) (struct{}, bool, error) {
		locked, err := collection.GetProperty("org.freedesktop.Secret.Collection.Locked")
		return struct{}{}, err == nil && locked.Value() == false, nil
	}, s.keyring.stderr)
	return err
}

// Close stops the session's daemons and removes its files.
func (s *Session) Close() error {
	var errs []error
	if s.conn != nil {
		errs = append(errs, s.conn.Close())
	}
	if s.keyring != nil {
		errs = append(errs, s.keyring.stop())
	}
	if s.panel != nil {
		errs = append(errs, s.panel.stop())
	}
	if s.bus != nil {
		errs = append(errs, s.bus.stop())
	}
	errs = append(errs, os.RemoveAll(s.root))
	return errors.Join(errs...)
}

// inheritedEnvDropped are variables of the developer's desktop that would leak into the
// programs under test (or point them at real services).
var inheritedEnvDropped = []string{
	"DISPLAY=", "WAYLAND_DISPLAY=", "DBUS_SESSION_BUS_ADDRESS=", "HOME=", "LANG=", "LANGUAGE=",
	"LC_", "XDG_", "GNOME_KEYRING_CONTROL=", "SSH_AUTH_SOCK=", "BROWSER=", "TOKENTRAY_",
}

// Env is the complete environment of a program in this session.
func (s *Session) Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		dropped := false
		for _, prefix := range inheritedEnvDropped {
			dropped = dropped || strings.HasPrefix(kv, prefix)
		}
		if !dropped {
			env = append(env, kv)
		}
	}
	return append(append(env, s.Display.Env()...),
		"HOME="+s.Home,
		"XDG_RUNTIME_DIR="+s.RuntimeDir,
		"XDG_CONFIG_HOME="+filepath.Join(s.Home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(s.Home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(s.Home, ".cache"),
		"DBUS_SESSION_BUS_ADDRESS="+s.BusAddress,
	)
}

// ErrNoSecret is returned by SecretToolLookup when no item matches.
var ErrNoSecret = errors.New("no secret matches")

// SecretToolLookup runs `secret-tool lookup attr value ...` in this session: what any
// libsecret client sees. go-keyring stores items with attributes "service" and "username".
func (s *Session) SecretToolLookup(ctx context.Context, attrs ...string) (string, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", append([]string{"lookup"}, attrs...)...)
	cmd.Env = s.Env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case err == nil:
		return stdout.String(), nil
	case ctx.Err() == nil && cmd.ProcessState.ExitCode() == 1 && stderr.Len() == 0:
		return "", fmt.Errorf("secret-tool lookup %s: %w", strings.Join(attrs, " "), ErrNoSecret)
	default:
		return "", fmt.Errorf("secret-tool lookup %s: %v: %s", strings.Join(attrs, " "), err, strings.TrimSpace(stderr.String()))
	}
}
