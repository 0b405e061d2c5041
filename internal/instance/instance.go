// Package instance keeps tokentray to one running app per config directory. The first start
// holds a lock file and listens on a Unix socket beside it; a later start finds the lock taken,
// asks the running app to show its window, and exits.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrRunning means another instance holds the directory; it was asked to show itself.
var ErrRunning = errors.New("tokentray is already running: its window was brought up")

const showRequest = "show"

// Primary is the running instance's claim on the directory.
type Primary struct {
	lock *flock.Flock
	ln   net.Listener
}

// Acquire makes this process the instance for dir and calls onShow (on a background goroutine)
// whenever a later start asks. If another instance holds dir, it asks that one to show itself
// and returns ErrRunning.
func Acquire(dir string, onShow func()) (*Primary, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	lock := flock.New(filepath.Join(dir, "instance.lock"))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("checking for a running tokentray: %w", err)
	}
	sock := filepath.Join(dir, "instance.sock")
	if !locked {
		if err := ask(sock); err != nil {
			return nil, fmt.Errorf("tokentray is already running but did not answer (%v); quit it from its tray menu", err)
		}
		return nil, ErrRunning
	}
	// Holding the lock, any socket file left is from a crashed instance.
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("listening for later starts on %s: %w", sock, err)
	}
	p := &Primary{lock: lock, ln: ln}
	go p.serve(onShow)
	return p, nil
}

func (p *Primary) serve(onShow func()) {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return // closed by Release
		}
		conn.SetDeadline(time.Now().Add(2 * time.Second))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		if strings.TrimSpace(line) == showRequest {
			onShow()
			fmt.Fprintln(conn, "ok")
		}
		conn.Close()
	}
}

// Release gives the directory up (on quit).
func (p *Primary) Release() {
	p.ln.Close()
	p.lock.Unlock()
}

func ask(sock string) error {
	conn, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintln(conn, showRequest); err != nil {
		return err
	}
	answer, err := bufio.NewReader(conn).ReadString('\n')
	if strings.TrimSpace(answer) != "ok" {
		return fmt.Errorf("unexpected answer %q (%v)", answer, err)
	}
	return nil
}
