package local

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tokentray/internal/keyring"
)

const secretForTest = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

// exerciseSecretStore checks the SecretStore contract on any implementation.
func exerciseSecretStore(t *testing.T, store SecretStore) {
	t.Helper()
	if _, err := store.Get(KeyClientSecret); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get(absent) = %v, want ErrSecretNotFound", err)
	} else if !strings.Contains(err.Error(), KeyClientSecret) {
		t.Fatalf("Get(absent) = %q, want the key named", err)
	}
	if err := store.Set(KeyClientSecret, secretForTest); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := store.Set(KeyUserToken, `{"refresh_token":"r"}`); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, err := store.Get(KeyClientSecret); err != nil || got != secretForTest {
		t.Fatalf("Get = %q, %v; want the secret", got, err)
	}
	if err := store.Set(KeyClientSecret, "replaced"); err != nil {
		t.Fatalf("Set again: %v", err)
	}
	if got, _ := store.Get(KeyClientSecret); got != "replaced" {
		t.Fatalf("Get after overwrite = %q", got)
	}
	if err := store.Delete(KeyClientSecret); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := store.Delete(KeyClientSecret); err != nil {
		t.Fatalf("Delete(absent) = %v, want nil", err)
	}
	if _, err := store.Get(KeyClientSecret); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrSecretNotFound", err)
	}
	if got, err := store.Get(KeyUserToken); err != nil || got != `{"refresh_token":"r"}` {
		t.Fatalf("Delete of one key disturbed another: %q, %v", got, err)
	}
}

func TestMemoryStore(t *testing.T) {
	store := NewMemoryStore()
	exerciseSecretStore(t, store)
	if store.Describe() != "memory (nothing is saved)" || store.Insecure() {
		t.Fatalf("Describe %q, Insecure %v", store.Describe(), store.Insecure())
	}
}

func TestKeyringStore(t *testing.T) {
	keyring.MockInit()
	store := NewKeyringStore("tokentray-test")
	exerciseSecretStore(t, store)
	if got := store.Describe(); got != `system keyring (service "tokentray-test")` || store.Insecure() {
		t.Fatalf("Describe %q, Insecure %v", got, store.Insecure())
	}
	// Services are separate: the demo never sees the real app's secrets.
	if err := store.Set(KeyClientSecret, secretForTest); err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyringStore("tokentray-demo").Get(KeyClientSecret); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("another service sees the secret: %v", err)
	}
}

func TestKeyringStoreErrorsNameKeyNotSecret(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	store := NewKeyringStore("tokentray-test")
	errs := map[string]error{
		"set":    store.Set(KeyClientSecret, secretForTest),
		"delete": store.Delete(KeyClientSecret),
	}
	_, errs["get"] = store.Get(KeyClientSecret)
	for op, err := range errs {
		var unavailable *keyring.UnavailableError
		if !errors.As(err, &unavailable) {
			t.Errorf("%s: %v, want a *keyring.UnavailableError", op, err)
			continue
		}
		if errors.Is(err, ErrSecretNotFound) {
			t.Errorf("%s: a broken keyring reads as a missing secret: %v", op, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, `"client-secret"`) || !strings.Contains(msg, "--insecure-storage") {
			t.Errorf("%s: %q should name the key and the way out", op, msg)
		}
		if strings.Contains(msg, secretForTest[:5]) {
			t.Errorf("%s: %q contains the secret", op, msg)
		}
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	path := filepath.Join(dir, "secrets.json")
	store := NewFileStore(path)
	exerciseSecretStore(t, store)
	if got := store.Describe(); got != "insecure file "+path || !store.Insecure() {
		t.Fatalf("Describe %q, Insecure %v", got, store.Insecure())
	}
	assertModeForTest(t, dir, 0o700)
	assertModeForTest(t, path, 0o600)
	assertOnlyFilesForTest(t, dir, "secrets.json", "secrets.json.lock")
}

func TestFileStoreInstancesSeeEachOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	tray, cli := NewFileStore(path), NewFileStore(path)
	if err := tray.Set(KeyUserToken, "from-tray"); err != nil {
		t.Fatal(err)
	}
	if got, err := cli.Get(KeyUserToken); err != nil || got != "from-tray" {
		t.Fatalf("second instance Get = %q, %v", got, err)
	}
	if err := cli.Set(KeyAppToken, "from-cli"); err != nil {
		t.Fatal(err)
	}
	// The first instance re-reads the file: no stale cache, and its own key survived cli's write.
	for key, want := range map[string]string{KeyUserToken: "from-tray", KeyAppToken: "from-cli"} {
		if got, err := tray.Get(key); err != nil || got != want {
			t.Fatalf("first instance Get(%s) = %q, %v; want %q", key, got, err, want)
		}
	}
	if err := cli.Delete(KeyUserToken); err != nil {
		t.Fatal(err)
	}
	if _, err := tray.Get(KeyUserToken); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("first instance still sees a deleted key: %v", err)
	}
}

func TestFileStoreConcurrentSetsLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			// A store per goroutine, as separate processes would have.
			if err := NewFileStore(path).Set(fmt.Sprintf("key-%d", i), "v"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	store := NewFileStore(path)
	for i := range 8 {
		if _, err := store.Get(fmt.Sprintf("key-%d", i)); err != nil {
			t.Errorf("key-%d lost: %v", i, err)
		}
	}
	assertOnlyFilesForTest(t, filepath.Dir(path), "secrets.json", "secrets.json.lock")
}

func TestFileStoreRefusesDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	damaged := `{"client-secret": "` + secretForTest // truncated
	writeFileForTest(t, path, damaged)
	store := NewFileStore(path)
	_, getErr := store.Get(KeyClientSecret)
	setErr := store.Set(KeyAppToken, "x")
	for _, err := range []error{getErr, setErr} {
		if err == nil {
			t.Fatal("damaged secrets file accepted")
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "delete it") {
			t.Errorf("%q should name the file and the fix", msg)
		}
		if strings.Contains(msg, secretForTest[:5]) {
			t.Errorf("%q contains the secret", msg)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != damaged {
		t.Fatalf("Set overwrote the damaged file with %q", data)
	}
}

func TestOpenStoreKeyring(t *testing.T) {
	keyring.MockInit()
	store, err := OpenStore(StoreOptions{Service: "tokentray", ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if store.Insecure() || store.Describe() != `system keyring (service "tokentray")` {
		t.Fatalf("OpenStore = %s", store.Describe())
	}
	if _, err := keyring.Get("tokentray", keyringProbeKey); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the probe left something in the keyring: %v", err)
	}
}

func TestOpenStoreWithoutKeyring(t *testing.T) {
	causes := map[string]error{
		"no Secret Service": errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
		"other failure":     errors.New("org.freedesktop.DBus.Error.AccessDenied"),
	}
	for name, cause := range causes {
		t.Run(name, func(t *testing.T) {
			keyring.MockInitWithError(cause)
			dir := t.TempDir()
			store, err := OpenStore(StoreOptions{Service: "tokentray", ConfigDir: dir})
			if !errors.Is(err, ErrNoKeyring) || !errors.Is(err, cause) {
				t.Fatalf("OpenStore = %v, %v; want an error matching ErrNoKeyring and the cause", store, err)
			}
			msg := err.Error()
			if strings.Count(msg, "--insecure-storage") != 1 || !strings.Contains(msg, cause.Error()) {
				t.Fatalf("message %q should give the advice once and the cause", msg)
			}
			assertOnlyFilesForTest(t, dir) // no silent fallback to a plain-text file
		})
	}
}

func TestOpenStoreInsecure(t *testing.T) {
	// Insecure storage is chosen explicitly; the broken keyring is not even asked.
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	dir := t.TempDir()
	store, err := OpenStore(StoreOptions{Service: "tokentray", ConfigDir: dir, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secrets.json")
	if !store.Insecure() || store.Describe() != "insecure file "+path {
		t.Fatalf("OpenStore(Insecure) = %s", store.Describe())
	}
	if err := store.Set(KeyClientSecret, secretForTest); err != nil {
		t.Fatal(err)
	}
	if got, err := NewFileStore(path).Get(KeyClientSecret); err != nil || got != secretForTest {
		t.Fatalf("secret not in %s: %q, %v", path, got, err)
	}
}
