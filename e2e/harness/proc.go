//go:build e2e || faults

package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL.
const StopTimeout = 5 * time.Second

// Proc is a program under test started with a session's environment. Its stdout and
// stderr go to one log file, dumped into the test log when the test fails.
type Proc struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// Start runs binary with the session's environment plus extraEnv ("KEY=value", later
// entries win) and stops it when the test ends.
func (s *Session) Start(t testing.TB, binary string, args []string, extraEnv ...string) *Proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), filepath.Base(binary)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create log for %s: %v", binary, err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(s.Env(), extraEnv...)
	cmd.Dir = s.Home
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", binary, err)
	}
	p := &Proc{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Logf("stop %s: %v", binary, err)
		}
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", logPath, p.LogTail(40))
		}
	})
	return p
}

// PID is the process id, which Item.PID matches for the tray item the process owns.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM, then SIGKILL if the process is still running after StopTimeout.
// It returns the process's exit error unless it was ended by one of those signals, so a
// crash on shutdown is reported. Stop is idempotent.
func (p *Proc) Stop() error {
	select {
	case <-p.done:
		return p.exitErr()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.exitErr()
	case <-time.After(StopTimeout):
	}
	// A Go program dumps every goroutine on SIGQUIT: the log then shows where it hangs.
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return fmt.Errorf("%s ignored SIGTERM for %v (goroutines dumped with SIGQUIT); log tail:\n%s",
		p.cmd.Path, StopTimeout, p.LogTail(200))
}

// Wait waits until the process exits by itself (a Quit click, a refused second
// instance) and returns its exit error.
func (p *Proc) Wait(ctx context.Context) error {
	ctx, cancel := bounded(ctx)
	defer cancel()
	select {
	case <-p.done:
		return p.waitErr
	case <-ctx.Done():
		return fmt.Errorf("%s still running (%v); last output:\n%s", p.cmd.Path, ctx.Err(), p.LogTail(20))
	}
}

func (p *Proc) exitErr() error {
	var exit *exec.ExitError
	if errors.As(p.waitErr, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() &&
			(ws.Signal() == syscall.SIGTERM || ws.Signal() == syscall.SIGKILL) {
			return nil
		}
	}
	return p.waitErr
}

// LogTail returns the last n lines of the process's combined output.
func (p *Proc) LogTail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Build compiles the Go package pkg into out with the caller's environment (not a
// session's: the private HOME has no Go caches). Cold Fyne builds take minutes, so call it
// once per test binary, from TestMain.
func Build(ctx context.Context, pkg, out string, buildFlags ...string) error {
	args := append([]string{"build", "-o", out}, buildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, output.String())
	}
	return nil
}

// childAttrs makes a child die with the test binary even when a panic skips every
// cleanup, so no Xvfb or dbus-daemon outlives a crashed run.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
