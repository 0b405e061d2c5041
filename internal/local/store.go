package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"tokentray/internal/atomicfile"
	"tokentray/internal/keyring"
)

// SecretStore keeps the client secret and the tokens. Values are secrets: implementations never
// put them in errors.
type SecretStore interface {
	// Get returns the value for key; a missing key gives an error matching ErrSecretNotFound.
	Get(key string) (string, error)
	Set(key, value string) error
	// Delete removes key; a missing key is not an error.
	Delete(key string) error
	// Describe says where the secrets live, for the settings window and `tokentray status`.
	Describe() string
	// Insecure reports whether secrets are stored in plain text.
	Insecure() bool
}

// PreparingStore is a SecretStore that can do the slow part of a write ahead of time, so that
// the write which saves a rotated refresh token is a single round trip: the less time passes
// between Spotify's answer and the stored copy, the less a kill -9 can destroy.
type PreparingStore interface {
	SecretStore
	// PrepareSet returns a function that replaces the stored value of key (which must exist) at
	// once, and release to free what it holds.
	PrepareSet(key string) (set func(value string) error, release func(), err error)
}

// Keys in the SecretStore.
const (
	KeyClientSecret = "client-secret"
	KeyUserToken    = "user-token" // JSON of UserToken
	KeyAppToken     = "app-token"  // JSON of the cached client-credentials token
)

// ErrSecretNotFound matches the error of Get for a key that is not stored.
var ErrSecretNotFound = errors.New("secret not found")

// ErrNoKeyring matches the error of OpenStore when the system keyring cannot be used.
var ErrNoKeyring = errors.New(keyring.UnavailableHint)

func secretNotFound(key string, store SecretStore) error {
	return fmt.Errorf("%w: %q in %s", ErrSecretNotFound, key, store.Describe())
}

// keyringStore keeps secrets in the system keyring (Secret Service, Keychain, Credential Manager).
type keyringStore struct{ service string }

// NewKeyringStore stores secrets in the system keyring under service ("tokentray").
func NewKeyringStore(service string) SecretStore { return keyringStore{service: service} }

func (s keyringStore) Get(key string) (string, error) {
	value, err := keyring.Get(s.service, key)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", secretNotFound(key, s)
	case err != nil:
		return "", fmt.Errorf("reading %q from the %s: %w", key, s.Describe(), err)
	}
	return value, nil
}

func (s keyringStore) Set(key, value string) error {
	if err := keyring.Set(s.service, key, value); err != nil {
		return fmt.Errorf("saving %q in the %s: %w", key, s.Describe(), err)
	}
	return nil
}

func (s keyringStore) Delete(key string) error {
	err := keyring.Delete(s.service, key)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("deleting %q from the %s: %w", key, s.Describe(), err)
	}
	return nil
}

// PrepareSet opens and unlocks the Secret Service ahead of the write (see keyring.Prepare).
func (s keyringStore) PrepareSet(key string) (func(string) error, func(), error) {
	w, err := keyring.Prepare(s.service, key)
	if err != nil {
		return nil, nil, err
	}
	set := func(value string) error {
		if err := w.Set(value); err != nil {
			return fmt.Errorf("saving %q in the %s: %w", key, s.Describe(), err)
		}
		return nil
	}
	return set, w.Close, nil
}

func (s keyringStore) Describe() string { return fmt.Sprintf("system keyring (service %q)", s.service) }
func (s keyringStore) Insecure() bool   { return false }

// fileStore keeps secrets as a JSON object in one plain-text file, for machines without a
// keyring. Every Get re-reads the file, so the tray and the CLI see each other's writes; Set and
// Delete hold a lock file so that two processes do not lose each other's updates.
type fileStore struct{ path string }

// NewFileStore stores secrets in plain text in the file at path (mode 0600, directory 0700).
func NewFileStore(path string) SecretStore { return fileStore{path: path} }

// fileStoreLockTimeout bounds the wait for another process's read-modify-write of the file,
// which takes milliseconds; a longer wait means a hung process holds the lock.
const fileStoreLockTimeout = 10 * time.Second

func (s fileStore) Get(key string) (string, error) {
	secrets, err := s.read()
	if err != nil {
		return "", err
	}
	value, ok := secrets[key]
	if !ok {
		return "", secretNotFound(key, s)
	}
	return value, nil
}

func (s fileStore) Set(key, value string) error {
	return s.update(func(secrets map[string]string) bool {
		secrets[key] = value
		return true
	})
}

func (s fileStore) Delete(key string) error {
	return s.update(func(secrets map[string]string) bool {
		_, present := secrets[key]
		delete(secrets, key)
		return present
	})
}

func (s fileStore) Describe() string { return "insecure file " + s.path }
func (s fileStore) Insecure() bool   { return true }

// maxSecretsSize bounds what the file store reads: a client secret and two token records are a
// few KiB.
const maxSecretsSize = 1 << 20

// read returns the stored secrets; a missing file is an empty store. Like settings.json, only a
// regular file is read: a FIFO there must not hang every command.
func (s fileStore) read() (map[string]string, error) {
	secrets := make(map[string]string)
	data, err := atomicfile.ReadFile(s.path, maxSecretsSize)
	if errors.Is(err, fs.ErrNotExist) {
		return secrets, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading secrets: %w", err)
	}
	if err := json.Unmarshal(data, &secrets); err != nil {
		// DescribeJSONError, not err: the message could quote part of a secret.
		return nil, fmt.Errorf("secrets file %s is damaged (%s): delete it, then enter the client secret and log in again", s.path, DescribeJSONError(err))
	}
	return secrets, nil
}

// update applies change to the stored secrets under the lock and writes them back if change
// reports a modification.
func (s fileStore) update(change func(map[string]string) (changed bool)) error {
	if err := makePrivateDir(filepath.Dir(s.path)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), fileStoreLockTimeout)
	defer cancel()
	unlock, err := LockFile(ctx, s.path+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	secrets, err := s.read()
	if err != nil {
		return err
	}
	if !change(secrets) {
		return nil
	}
	data, err := json.MarshalIndent(secrets, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(s.path, append(data, '\n'))
}

// memoryStore keeps secrets for the life of the process (demo mode, tests).
type memoryStore struct {
	mu      sync.Mutex
	secrets map[string]string
}

// NewMemoryStore returns a store that forgets everything when the process exits.
func NewMemoryStore() SecretStore { return &memoryStore{secrets: make(map[string]string)} }

func (s *memoryStore) Get(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	value, ok := s.secrets[key]
	if !ok {
		return "", secretNotFound(key, s)
	}
	return value, nil
}

func (s *memoryStore) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[key] = value
	return nil
}

func (s *memoryStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, key)
	return nil
}

func (s *memoryStore) Describe() string { return "memory (nothing is saved)" }
func (s *memoryStore) Insecure() bool   { return false }

// KeyringService names tokentray's entries in the system keyring; the app and the CLI share it.
const KeyringService = "tokentray"

// StoreOptions selects the secret store.
type StoreOptions struct {
	Service   string // keyring service name, "tokentray" (demo: "tokentray-demo")
	ConfigDir string // where the insecure file store keeps secrets.json
	Insecure  bool   // --insecure-storage / TOKENTRAY_INSECURE_STORAGE=1: skip the keyring
}

const secretsFileName = "secrets.json"

// keyringProbeKey is never stored; reading it tells whether the keyring answers at all.
const keyringProbeKey = "keyring-probe"

// OpenStore returns the file store in o.ConfigDir when o.Insecure, else the system keyring after
// checking that it answers. An unusable keyring gives an error matching ErrNoKeyring that also
// wraps the cause (a *keyring.UnavailableError or *keyring.TimeoutError, typically).
func OpenStore(o StoreOptions) (SecretStore, error) {
	if o.Insecure {
		if o.ConfigDir == "" {
			return nil, errors.New("insecure storage needs a configuration directory: set TOKENTRAY_CONFIG_DIR")
		}
		return NewFileStore(filepath.Join(o.ConfigDir, secretsFileName)), nil
	}
	if o.Service == "" {
		return nil, errors.New("opening the keyring: no service name given")
	}
	store := NewKeyringStore(o.Service)
	_, err := keyring.Get(o.Service, keyringProbeKey)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return store, nil
	}
	return nil, &noKeyringError{cause: err}
}

// noKeyringError matches both ErrNoKeyring and its cause, and states the advice only once.
type noKeyringError struct{ cause error }

func (e *noKeyringError) Error() string {
	var unavailable *keyring.UnavailableError
	if errors.As(e.cause, &unavailable) {
		return unavailable.Error()
	}
	return fmt.Sprintf("%s (%v)", ErrNoKeyring, e.cause)
}

func (e *noKeyringError) Unwrap() []error { return []error{ErrNoKeyring, e.cause} }

// DescribeJSONError describes a decoding error without the offending bytes, which may be secret.
func DescribeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	default:
		return "invalid JSON"
	}
}
