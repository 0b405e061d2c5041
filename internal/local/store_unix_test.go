//go:build unix

package local

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/atomicfile"
)

func TestFileStoreRefusesAFIFOWithoutWaiting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := NewFileStore(path).Get(KeyClientSecret)
		done <- err
	}()
	select {
	case err := <-done:
		var notRegular *atomicfile.NotRegularError
		if !errors.As(err, &notRegular) || !strings.Contains(err.Error(), path+" is not a regular file but a FIFO") {
			t.Fatalf("Get on a FIFO: %v; want the path and what is there", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Get on a FIFO secrets.json hangs")
	}
}
