//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// withinSeconds fails the test if f does not return within 10 s: opening a FIFO without a
// writer would block for ever.
func withinSeconds[T any](t *testing.T, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("hangs")
		panic("unreachable")
	}
}

func TestReadFileReadsOnlyASmallRegularFile(t *testing.T) {
	for _, tc := range []struct {
		name, problem string
		make          func(path string) error
	}{
		{"FIFO", "is not a regular file but a FIFO (named pipe)", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
		{"symlink to /dev/zero", "is a symbolic link; tokentray uses only a regular file there", func(path string) error { return os.Symlink("/dev/zero", path) }},
		{"directory", "is a directory, not a file", func(path string) error { return os.Mkdir(path, 0o700) }},
		{"11 bytes", "is 11 bytes; at most 10 are read", func(path string) error { return os.WriteFile(path, []byte("0123456789\n"), 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.json")
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			err := withinSeconds(t, func() error { _, err := ReadFile(path, 10); return err })
			if err == nil || err.Error() != path+" "+tc.problem {
				t.Fatalf("ReadFile = %v, want %q", err, path+" "+tc.problem)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "f.json")
	if _, err := ReadFile(path, 10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
	}
	if err := os.WriteFile(path, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(path, 10); err != nil || string(data) != "0123456789" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
}

func TestWriteFileReplacesNoFIFOAndNoDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	targets := []struct{ path, problem string }{{fifo, "is not a regular file but a FIFO (named pipe)"}}
	// A copy of /dev/null's node (only root may make one): replaced, it would be a file.
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(1<<8|3)); err == nil {
		targets = append(targets, struct{ path, problem string }{null, "is not a regular file but a character device"})
	} else {
		t.Logf("no device node (%v): only the FIFO is tried", err)
	}
	for _, target := range targets {
		before, err := os.Lstat(target.path)
		if err != nil {
			t.Fatal(err)
		}
		err = withinSeconds(t, func() error { return WriteFile(target.path, []byte("x")) })
		if err == nil || err.Error() != target.path+" "+target.problem {
			t.Errorf("WriteFile(%s) = %v, want %q", target.path, err, target.problem)
		}
		after, err := os.Lstat(target.path)
		if err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
			t.Errorf("%s was replaced: %v, %v", target.path, after, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(targets) {
		t.Errorf("the directory holds %d entries, want %d (no temporary file)", len(entries), len(targets))
	}
	// A symbolic link is replaced as such; what it points to is left alone.
	kept := filepath.Join(dir, "kept")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(kept, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(kept, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(kept); string(data) != "kept" {
		t.Errorf("the link's target now holds %q", data)
	}
	if info, _ := os.Lstat(link); !info.Mode().IsRegular() {
		t.Errorf("the link is %v, want a regular file", info.Mode())
	}
}
