//go:build e2e || faults

package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// daemon is a helper process the harness owns (Xvfb, dbus-daemon, gnome-keyring-daemon).
type daemon struct {
	cmd  *exec.Cmd
	done chan struct{}

	mu  sync.Mutex
	out bytes.Buffer // stderr, for error messages
}

func startDaemon(cmd *exec.Cmd) (*daemon, error) {
	d := &daemon{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = lockedWriter{d}
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %v", cmd.Path, err)
	}
	go func() {
		_ = cmd.Wait()
		close(d.done)
	}()
	return d, nil
}

type lockedWriter struct{ d *daemon }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	return w.d.out.Write(p)
}

func (d *daemon) stderr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.String()
}

// stop ends the daemon politely, then forcibly; safe to call twice.
func (d *daemon) stop() error {
	if terminate(d.cmd.Process, d.done) {
		return fmt.Errorf("%s ignored SIGTERM for %v and was killed", d.cmd.Path, StopTimeout)
	}
	return nil
}

// terminate sends SIGTERM, then SIGKILL if done is still open after StopTimeout, and
// waits for done. It reports whether SIGKILL was needed.
func terminate(p *os.Process, done <-chan struct{}) (killed bool) {
	select {
	case <-done:
		return false
	default:
	}
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return false
	case <-time.After(StopTimeout):
	}
	_ = p.Kill()
	<-done
	return true
}
