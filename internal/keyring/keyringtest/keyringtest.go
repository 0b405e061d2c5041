// Package keyringtest starts a real Secret Service for tests: a private dbus-daemon and a
// gnome-keyring-daemon on it, each owned (and ended) by the test that started it, so that tests
// never touch the keyring of the user running them.
package keyringtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// StartSessionBus starts a private dbus-daemon and returns its address.
func StartSessionBus(t testing.TB) string {
	t.Helper()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon (apt-get install dbus): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the bus address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// PrivateEnv gives the keyring daemon a HOME and runtime dir of its own (mode 0700, as it demands).
func PrivateEnv(t testing.TB, bus string) []string {
	t.Helper()
	home := t.TempDir()
	runtime := filepath.Join(home, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+runtime, "DBUS_SESSION_BUS_ADDRESS="+bus)
}

// StartGnomeKeyring runs the daemon in the foreground, so the test owns (and ends) exactly its
// own process even when other keyring daemons run on the machine. It returns once the daemon
// serves org.freedesktop.secrets, with the process (to stall it with SIGSTOP, say).
func StartGnomeKeyring(t testing.TB, bus string, env []string) *os.Process {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = env
	cmd.Stdin = strings.NewReader("test-password")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gnome-keyring-daemon (apt-get install gnome-keyring): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitForName(t, bus, "org.freedesktop.secrets")
	return cmd.Process
}

// waitForName polls the bus until a service owns name: the daemon prints nothing when it is ready.
func waitForName(t testing.TB, bus, name string) {
	t.Helper()
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var owned bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err == nil && owned {
			return
		}
	}
	t.Fatalf("nobody took %s on the bus within 10 s", name)
}
