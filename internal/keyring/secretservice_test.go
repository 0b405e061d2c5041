//go:build secretservice

// These tests talk to a real Secret Service: gnome-keyring-daemon on a private D-Bus session
// bus that the test starts itself. Run them with `make test-keyring` (CI does).
package keyring

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// startSessionBus starts a private dbus-daemon and returns its address.
func startSessionBus(t testing.TB) string {
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

// privateEnv gives the keyring daemon a HOME and runtime dir of its own (mode 0700, as it demands).
func privateEnv(t testing.TB, bus string) []string {
	t.Helper()
	home := t.TempDir()
	runtime := filepath.Join(home, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+runtime, "DBUS_SESSION_BUS_ADDRESS="+bus)
}

// startGnomeKeyring runs the daemon in the foreground, so the test owns (and ends) exactly its
// own process even when other keyring daemons run on the machine.
func startGnomeKeyring(t testing.TB, bus string, env []string) {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = env
	cmd.Stdin = strings.NewReader("test-password")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gnome-keyring-daemon (apt-get install gnome-keyring): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitForName(t, bus, "org.freedesktop.secrets")
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

func TestRealSecretService(t *testing.T) {
	bus := startSessionBus(t)
	env := privateEnv(t, bus)
	startGnomeKeyring(t, bus, env)
	runChild(t, "TestHelperRealSecretService", append(env, "KEYRING_HELPER=real"))
}

// runChild runs one test of this binary in a fresh process: go-keyring's backend and bus
// connection are process-wide, and the unit tests in this package install its mock.
func runChild(t *testing.T, name string, env []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// TestHelperRealSecretService is the body of TestRealSecretService, run in a child process.
func TestHelperRealSecretService(t *testing.T) {
	if os.Getenv("KEYRING_HELPER") != "real" {
		t.Skip("child of TestRealSecretService")
	}
	operationTimeout = 10 * time.Second // the first call unlocks the collection

	if _, err := Get("tokentray-test", "absent"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of an absent key: %v, want ErrNotFound", err)
	}
	if err := Set("tokentray-test", "refresh-token", "AQD-secret-value"); err != nil {
		t.Fatal(err)
	}
	got, err := Get("tokentray-test", "refresh-token")
	if err != nil || got != "AQD-secret-value" {
		t.Fatalf("Get: %q, %v", got, err)
	}
	// Another Secret Service client sees the same item: it is really in gnome-keyring.
	out, err := exec.Command("secret-tool", "lookup", "service", "tokentray-test", "username", "refresh-token").Output()
	if err != nil || string(out) != "AQD-secret-value" {
		t.Fatalf("secret-tool lookup: %q, %v", out, err)
	}

	// A prepared writer replaces the same item in one call; Get and secret-tool see the new value.
	w, err := Prepare("tokentray-test", "refresh-token")
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if err := w.Set("AQD-rotated-value"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got, err := Get("tokentray-test", "refresh-token"); err != nil || got != "AQD-rotated-value" {
		t.Fatalf("Get after a prepared Set: %q, %v", got, err)
	}
	out, err = exec.Command("secret-tool", "search", "--all", "service", "tokentray-test").CombinedOutput()
	if err != nil || strings.Count(string(out), "[/") != 1 {
		t.Fatalf("want exactly one item after the prepared Set (replaced, not added):\n%s", out)
	}
	// Prepare refuses a key that the normal path reads differently (here: not stored at all).
	if _, err := Prepare("tokentray-test", "absent"); err == nil {
		t.Fatal("Prepare accepted a key Get cannot confirm")
	}

	if err := Delete("tokentray-test", "refresh-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := Get("tokentray-test", "refresh-token"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v, want ErrNotFound", err)
	}
}

// TestHelperNoSecretService runs in a child process whose bus has no Secret Service (go-keyring
// keeps one bus connection per process, so the parent cannot switch buses).
func TestHelperNoSecretService(t *testing.T) {
	if os.Getenv("KEYRING_HELPER") != "unavailable" {
		t.Skip("child of TestBusWithoutSecretServiceIsUnavailable")
	}
	_, err := Get("tokentray-test", "x")
	var unavailable *UnavailableError
	if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "--insecure-storage") {
		t.Fatalf("got %v, want an UnavailableError with the fix", err)
	}
}

func TestBusWithoutSecretServiceIsUnavailable(t *testing.T) {
	runChild(t, "TestHelperNoSecretService", append(privateEnv(t, startSessionBus(t)), "KEYRING_HELPER=unavailable"))
}

// BenchmarkSecretServiceWrite measures the write that saves a rotated refresh token on a real
// gnome-keyring: go-keyring's Set (OpenSession, Unlock, CreateItem) against a prepared Writer
// (CreateItem only). Its time is the window in which a kill -9 loses the login. Run it alone
// (`go test -tags secretservice -run '^$' -bench SecretServiceWrite ./internal/keyring`): the
// process keeps one bus connection, which must be this benchmark's bus.
func BenchmarkSecretServiceWrite(b *testing.B) {
	bus := startSessionBus(b)
	env := privateEnv(b, bus)
	startGnomeKeyring(b, bus, env)
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	operationTimeout = 10 * time.Second
	value := strings.Repeat("A", 600) // about the size of a stored user token
	if err := Set("tokentray-bench", "user-token", value); err != nil {
		b.Fatal(err)
	}
	b.Run("Set", func(b *testing.B) {
		for b.Loop() {
			if err := Set("tokentray-bench", "user-token", value); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PreparedSet", func(b *testing.B) {
		w, err := Prepare("tokentray-bench", "user-token")
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		for b.Loop() {
			if err := w.Set(value); err != nil {
				b.Fatal(err)
			}
		}
	})
}
