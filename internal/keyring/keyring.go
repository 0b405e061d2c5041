// Package keyring is a thin wrapper over github.com/zalando/go-keyring, modelled on the GitHub
// CLI's internal/keyring. Each call runs in its own goroutine with a timeout, because a Secret
// Service that waits for an unlock prompt nobody answers would otherwise hang the app forever.
// Errors are typed so callers can tell "not stored" from "no keyring at all"; none is swallowed.
package keyring

import (
	"errors"
	"fmt"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// ErrNotFound is returned when the keyring works but holds no secret for the service and key.
var ErrNotFound = errors.New("secret not found in keyring")

// UnavailableHint is what a user has to do when there is no usable keyring.
const UnavailableHint = "no keyring: start gnome-keyring or KeePassXC's Secret Service, or pass --insecure-storage"

// UnavailableError means there is no Secret Service to talk to (no D-Bus session, no provider of
// org.freedesktop.secrets, or a collection that could not be unlocked).
type UnavailableError struct {
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s (%v)", UnavailableHint, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// TimeoutError means the keyring did not answer in time, typically because it shows an unlock
// prompt on a screen nobody is looking at.
type TimeoutError struct {
	Op      string // "get", "set" or "delete"
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("keyring %s did not answer within %s: unlock your keyring (it may be showing a password prompt) and try again", e.Op, e.Timeout)
}

// operationTimeout bounds every keyring call; tests shorten it.
var operationTimeout = 3 * time.Second

// The backend functions are variables so that tests can substitute one that never returns. Each
// call reads them before starting its goroutine, so a call that outlives its timeout does not
// race with a test that swaps the backend back.
var (
	backendGet    = gokeyring.Get
	backendSet    = gokeyring.Set
	backendDelete = gokeyring.Delete
)

// Get returns the secret stored for service and key.
func Get(service, key string) (string, error) {
	get := backendGet
	return withTimeout("get", func() (string, error) { return get(service, key) })
}

// Set stores secret for service and key, replacing any previous value.
func Set(service, key, secret string) error {
	set := backendSet
	_, err := withTimeout("set", func() (struct{}, error) { return struct{}{}, set(service, key, secret) })
	return err
}

// Delete removes the secret for service and key; ErrNotFound if there was none.
func Delete(service, key string) error {
	del := backendDelete
	_, err := withTimeout("delete", func() (struct{}, error) { return struct{}{}, del(service, key) })
	return err
}

// MockInit replaces the system keyring with an in-memory one, for tests.
func MockInit() { gokeyring.MockInit() }

// MockInitWithError replaces the system keyring with one whose every call fails with err, for tests.
func MockInitWithError(err error) { gokeyring.MockInitWithError(err) }

func withTimeout[T any](op string, call func() (T, error)) (T, error) {
	type result struct {
		value T
		err   error
	}
	// Buffered so that a call which answers after the timeout does not leak a blocked goroutine.
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	timer := time.NewTimer(operationTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.value, classify(r.err)
	case <-timer.C:
		var zero T
		return zero, &TimeoutError{Op: op, Timeout: operationTimeout}
	}
}

// unavailableMarkers are fragments of the errors go-keyring and godbus return when there is no
// Secret Service to talk to. go-keyring does not type these errors, so matching text is the only way.
var unavailableMarkers = []string{
	"org.freedesktop.secrets",                   // "The name org.freedesktop.secrets was not provided by any .service files"
	"dbus-launch",                               // no bus address and no dbus-launch to autolaunch one
	"DBUS_SESSION_BUS_ADDRESS",                  // bus address missing or unusable
	"couldn't determine address of session bus", // godbus, no session bus at all
	"invalid bus address",                       // godbus, malformed DBUS_SESSION_BUS_ADDRESS
	"dial unix",                                 // bus socket gone (session ended)
	"dbus: authentication failed",               // a bus that belongs to another user
	"failed to unlock",                          // go-keyring: the collection stayed locked
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gokeyring.ErrNotFound) {
		return ErrNotFound
	}
	msg := err.Error()
	for _, marker := range unavailableMarkers {
		if strings.Contains(msg, marker) {
			return &UnavailableError{Err: err}
		}
	}
	return err
}
