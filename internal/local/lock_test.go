package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lockHelperEnv makes the test binary act as a second process for the lock tests: its value is
// "hold:PATH" (lock, print "locked", release when stdin closes) or "try:PATH" (print "locked" or
// "busy" after a short wait).
const lockHelperEnv = "TOKENTRAY_LOCK_HELPER"

// busyWait is how long a lock attempt that must fail waits; success never waits for it.
const busyWait = 150 * time.Millisecond

func TestLockFileHelperProcess(t *testing.T) {
	mode, path, ok := strings.Cut(os.Getenv(lockHelperEnv), ":")
	if !ok {
		t.Skip("helper process for the lock tests")
	}
	fmt.Println(lockHelperRun(mode, path))
	os.Exit(0) // before the test framework prints its own lines
}

func lockHelperRun(mode, path string) string {
	ctx := context.Background()
	if mode == "try" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, busyWait)
		defer cancel()
	}
	unlock, err := LockFile(ctx, path)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "busy"
	case err != nil:
		return err.Error()
	}
	defer unlock()
	if mode == "hold" {
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		return "released"
	}
	return "locked"
}

func lockHelperCommand(mode, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockFileHelperProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+mode+":"+path)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestLockFileExcludesAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "refresh.lock")

	// Another process holds the lock: we cannot take it.
	holder := lockHelperCommand("hold", path)
	release, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if holder.ProcessState == nil { // a failed test did not wait for it
			release.Close()
			_ = holder.Wait()
		}
	})
	said := bufio.NewReader(stdout)
	if line, _ := said.ReadString('\n'); line != "locked\n" {
		t.Fatalf("holder said %q", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busyWait)
	defer cancel()
	if unlock, err := LockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		if unlock != nil {
			unlock()
		}
		t.Fatalf("LockFile while another process holds it = %v, want DeadlineExceeded", err)
	}

	// Once it lets go, the lock is ours.
	release.Close()
	if line, _ := said.ReadString('\n'); line != "released\n" {
		t.Fatalf("holder said %q after release", line)
	}
	if err := holder.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	unlock, err := LockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("LockFile after the holder exited: %v", err)
	}

	// While we hold it, another process cannot take it; after unlock it can.
	if got := runLockTry(t, path); got != "busy" {
		t.Fatalf("other process while we hold the lock: %q, want busy", got)
	}
	unlock()
	if got := runLockTry(t, path); got != "locked" {
		t.Fatalf("other process after unlock: %q, want locked", got)
	}
	assertModeForTest(t, path, 0o600)
	assertModeForTest(t, filepath.Dir(path), 0o700)
}

func runLockTry(t *testing.T, path string) string {
	t.Helper()
	out, err := lockHelperCommand("try", path).Output()
	if err != nil {
		t.Fatalf("try helper: %v (%s)", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestLockFileExcludesWithinProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refresh.lock")
	unlock, err := LockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), busyWait)
	defer cancel()
	if _, err := LockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second LockFile = %v, want DeadlineExceeded", err)
	}

	// A waiter gets the lock as soon as the holder lets go.
	acquired := make(chan error, 1)
	go func() {
		unlock2, err := LockFile(context.Background(), path)
		if err == nil {
			unlock2()
		}
		acquired <- err
	}()
	unlock()
	unlock() // unlocking twice is harmless
	if err := <-acquired; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestLockFileCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refresh.lock")
	unlock, err := LockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = LockFile(ctx, path)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ctx.Err()) {
		t.Fatalf("LockFile(cancelled) = %v, want context.Canceled", err)
	}
}
