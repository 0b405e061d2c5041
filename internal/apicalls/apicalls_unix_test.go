//go:build unix

package apicalls

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openWithin opens the log at path, failing the test if that takes 10 s (a FIFO's open blocks).
func openWithin(t *testing.T, o Options) *Log {
	t.Helper()
	done := make(chan *Log, 1)
	go func() { done <- Open(o) }()
	select {
	case l := <-done:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("Open hangs")
		return nil
	}
}

func TestAnOddFileIsMovedAsideUnopened(t *testing.T) {
	for _, tc := range []struct {
		name, problem string
		make          func(path string) error
	}{
		{"FIFO", "is not a regular file but a FIFO (named pipe)", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
		{"directory", "is a directory, not a file", func(path string) error { return os.Mkdir(path, 0o700) }},
		{"symlink to /dev/zero", "is a symbolic link", func(path string) error { return os.Symlink("/dev/zero", path) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			var warnings []error
			l := openWithin(t, Options{Path: path, Now: func() time.Time { return t0 }, Warn: func(err error) { warnings = append(warnings, err) }})
			if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), path+" "+tc.problem) ||
				!strings.Contains(warnings[0].Error(), "it was moved to "+path+".damaged") {
				t.Fatalf("warnings %v, want one saying %q and where it went", warnings, tc.problem)
			}
			if _, err := os.Lstat(path + ".damaged"); err != nil {
				t.Fatalf("nothing was moved aside: %v", err)
			}
			l.Record(playing)
			if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
				t.Fatalf("after a call %s is %v (%v), want a regular file", path, info, err)
			}
		})
	}
}

func TestAFileThatCannotBeMovedAsideMakesTheCountUnknown(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// A non-empty directory where the file would go: the rename fails, even for root.
	if err := os.MkdirAll(filepath.Join(path+".damaged", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	var warnings []error
	l := openWithin(t, Options{Path: path, Warn: func(err error) { warnings = append(warnings, err) }})
	if l.Err() == nil || len(warnings) != 1 || !strings.HasSuffix(warnings[0].Error(), ": remove "+path+", then start tokentray again") {
		t.Fatalf("Err = %v, warnings %v; want an unknown count and the fix", l.Err(), warnings)
	}
	if got := l.Summary(); !strings.HasPrefix(got, "Web API calls in the last 24 h: unknown ("+path+" is not a regular file but a FIFO (named pipe); moving it aside failed too") {
		t.Fatalf("Summary = %q", got)
	}
}

func TestReadOnlyLeavesAnOddFileInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	l := openWithin(t, Options{Path: path, ReadOnly: true})
	if got, want := l.Summary(), "Web API calls in the last 24 h: unknown ("+path+" is not a regular file but a FIFO (named pipe))"; got != want {
		t.Fatalf("Summary = %q, want %q", got, want)
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v (%v)", info, err)
	}
}
