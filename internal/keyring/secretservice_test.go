//go:build secretservice

// These tests talk to a real Secret Service: gnome-keyring-daemon on a private D-Bus session
// bus that the test starts itself. Run them with `make test-keyring` (CI does).
package keyring

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"tokentray/internal/keyring/keyringtest"
)

func TestRealSecretService(t *testing.T) {
	bus := keyringtest.StartSessionBus(t)
	env := keyringtest.PrivateEnv(t, bus)
	keyringtest.StartGnomeKeyring(t, bus, env)
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
	runChild(t, "TestHelperNoSecretService", append(keyringtest.PrivateEnv(t, keyringtest.StartSessionBus(t)), "KEYRING_HELPER=unavailable"))
}

// BenchmarkSecretServiceWrite measures the write that saves a rotated refresh token on a real
// gnome-keyring: go-keyring's Set (OpenSession, Unlock, CreateItem) against a prepared Writer
// (CreateItem only). Its time is the window in which a kill -9 loses the login. Run it alone
// (`go test -tags secretservice -run '^$' -bench SecretServiceWrite ./internal/keyring`): the
// process keeps one bus connection, which must be this benchmark's bus.
func BenchmarkSecretServiceWrite(b *testing.B) {
	bus := keyringtest.StartSessionBus(b)
	env := keyringtest.PrivateEnv(b, bus)
	keyringtest.StartGnomeKeyring(b, bus, env)
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
