package instance

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecondStartShowsTheFirst(t *testing.T) {
	dir := t.TempDir()
	shown := make(chan struct{}, 1)
	first, err := Acquire(dir, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()

	if _, err := Acquire(dir, func() { t.Error("the second instance was asked to show") }); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Acquire: %v, want ErrRunning", err)
	}
	select {
	case <-shown:
	case <-time.After(5 * time.Second):
		t.Fatal("the first instance was not asked to show its window")
	}
}

func TestReleaseLetsTheNextStartBecomePrimary(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, func() {})
	if err != nil {
		t.Fatal(err)
	}
	first.Release()
	second, err := Acquire(dir, func() {})
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	second.Release()
}

// TestHelperInstance holds the instance in a child process until killed.
func TestHelperInstance(t *testing.T) {
	dir := os.Getenv("INSTANCE_HELPER_DIR")
	if dir == "" {
		t.Skip("child of TestStaleSocketOfACrashedInstance")
	}
	if _, err := Acquire(dir, func() {}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	time.Sleep(time.Minute)
}

func TestStaleSocketOfACrashedInstance(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperInstance$")
	cmd.Env = append(os.Environ(), "INSTANCE_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || !strings.HasPrefix(string(buf), "ready") {
		t.Fatalf("child: %q %v", buf, err)
	}
	cmd.Process.Kill() // a crash: the socket file stays, the lock goes with the process
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, "instance.sock")); err != nil {
		t.Fatalf("the crashed instance left no socket, the test proves nothing: %v", err)
	}
	p, err := Acquire(dir, func() {})
	if err != nil {
		t.Fatalf("after a crash: %v", err)
	}
	p.Release()
}
