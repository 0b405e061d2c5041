package keyring

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRoundTripWithMock(t *testing.T) {
	MockInit()
	if _, err := Get("svc", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
	}
	if err := Set("svc", "k", "s3cret"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, err := Get("svc", "k"); err != nil || got != "s3cret" {
		t.Fatalf("Get = %q, %v; want s3cret, nil", got, err)
	}
	if _, err := Get("other-service", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get from another service: err = %v, want ErrNotFound", err)
	}
	if err := Delete("svc", "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := Delete("svc", "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: err = %v, want ErrNotFound", err)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name            string
		backendErr      string
		wantUnavailable bool
	}{
		{"no provider", "The name org.freedesktop.secrets was not provided by any .service files", true},
		{"no dbus-launch", `exec: "dbus-launch": executable file not found in $PATH`, true},
		{"no session bus", "dbus: couldn't determine address of session bus", true},
		{"bad bus address", "dbus: invalid bus address (no transport)", true},
		{"bus socket gone", "dial unix /run/user/1000/bus: connect: no such file or directory", true},
		{"locked collection", "failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'", true},
		{"other error kept as is", "data passed to Set was too big", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			MockInitWithError(errors.New(tt.backendErr))
			for op, err := range map[string]error{
				"get":    func() error { _, err := Get("svc", "k"); return err }(),
				"set":    Set("svc", "k", "v"),
				"delete": Delete("svc", "k"),
			} {
				var unavailable *UnavailableError
				if got := errors.As(err, &unavailable); got != tt.wantUnavailable {
					t.Fatalf("%s: err = %v; UnavailableError = %v, want %v", op, err, got, tt.wantUnavailable)
				}
				// Whatever the classification, the backend's own words must reach the user.
				if err == nil || !strings.Contains(err.Error(), tt.backendErr) {
					t.Fatalf("%s: err = %v, want it to contain %q", op, err, tt.backendErr)
				}
				if tt.wantUnavailable && !strings.Contains(err.Error(), "--insecure-storage") {
					t.Fatalf("%s: %q does not tell the user what to do", op, err)
				}
			}
		})
	}
}

func TestBlockingBackendTimesOut(t *testing.T) {
	release := make(chan struct{})
	blocking := func(string, string) (string, error) {
		<-release
		return "too late", nil
	}
	oldGet, oldTimeout := backendGet, operationTimeout
	backendGet, operationTimeout = blocking, 20*time.Millisecond
	t.Cleanup(func() {
		close(release) // let the abandoned goroutine finish
		backendGet, operationTimeout = oldGet, oldTimeout
	})

	got, err := Get("svc", "k")
	var timeout *TimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("Get = %q, %v; want a *TimeoutError", got, err)
	}
	if timeout.Op != "get" || timeout.Timeout != 20*time.Millisecond {
		t.Fatalf("TimeoutError = %+v, want Op get and Timeout 20ms", timeout)
	}
	if !strings.Contains(err.Error(), "unlock your keyring") {
		t.Fatalf("%q does not say what to do", err)
	}
}

func TestPrepareRefusesWhenTheMockIsInUse(t *testing.T) {
	MockInit()
	if err := Set("tokentray-test", "user-token", "value"); err != nil {
		t.Fatal(err)
	}
	// Whatever bus this machine has, a Writer must never write past the mock to a real keyring.
	if w, err := Prepare("tokentray-test", "user-token"); err == nil {
		w.Close()
		t.Fatal("Prepare succeeded with the mock keyring in use")
	}
}
