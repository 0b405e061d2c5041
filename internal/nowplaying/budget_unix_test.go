//go:build unix

package nowplaying

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/apicalls"
)

func TestAnUnknownCountMeansNoCalls(t *testing.T) {
	// A FIFO where the log belongs, which cannot be moved aside (a directory holds its place).
	path := filepath.Join(t.TempDir(), apicalls.FileName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path+apicalls.AsideSuffix, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	h := launch(t, budgeted(500, func(p *Poller) *apicalls.Log {
		return apicalls.Open(apicalls.Options{Path: path, Now: p.Clock.Now})
	}))
	s := h.expectState()
	if !strings.HasPrefix(s.ErrText, "Now playing makes no Web API calls while their count is unknown: "+path+" is not a regular file") {
		t.Fatalf("state %+v", s)
	}
	h.poller.Wake()
	time.Sleep(20 * time.Millisecond) // let a broken poller poll, so the script's check sees it
	if got := h.clock.Deadlines(); len(got) != 0 {
		t.Fatalf("a poll is scheduled at %v", offsets(got))
	}
}
