// Package cmdtest runs a program under test in the background and collects how it ended: the
// fault suite's tokentray and the Wine journey's tokentray.exe both start, wait for and read
// processes this way.
package cmdtest

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Result is how a process ended.
type Result struct {
	Code           int  // -1 when a signal ended it
	Signaled       bool // ended by a signal (not on Windows)
	Stdout, Stderr string
	Took           time.Duration
}

// Proc is a running process whose output is collected.
type Proc struct {
	Cmd     *exec.Cmd
	Started time.Time
	// Done receives the Result once, when the process has ended.
	Done <-chan Result

	stdout, stderr lockedBuffer
}

// Start starts cmd with its stdout and stderr collected, and kills it when the test ends.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	done := make(chan Result, 1)
	p := &Proc{Cmd: cmd, Done: done}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	go func() {
		err := cmd.Wait()
		r := Result{Code: cmd.ProcessState.ExitCode(), Stdout: p.stdout.String(), Stderr: p.stderr.String(), Took: time.Since(p.Started)}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.Signaled = true
		}
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			r.Stderr += "\n(wait: " + err.Error() + ")"
		}
		done <- r
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return p
}

// Stdout is what the process wrote to stdout so far.
func (p *Proc) Stdout() string { return p.stdout.String() }

// Stderr is what the process wrote to stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Wait returns how the process ended, failing the test if it outlives limit.
func (p *Proc) Wait(t testing.TB, limit time.Duration) Result {
	t.Helper()
	select {
	case r := <-p.Done:
		return r
	case <-time.After(limit):
		p.Cmd.Process.Kill()
		t.Fatalf("%v still running after %s; stderr so far:\n%s", p.Cmd.Args, limit, p.Stderr())
		return Result{}
	}
}

// lineWait bounds FirstLine and WaitStderr.
const lineWait = 30 * time.Second

// FirstLine waits for the first line on stdout and returns it without surrounding space.
func (p *Proc) FirstLine(t testing.TB) string {
	t.Helper()
	for deadline := time.Now().Add(lineWait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if line, _, ok := strings.Cut(p.Stdout(), "\n"); ok {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("%v: no line on stdout; stderr:\n%s", p.Cmd.Args, p.Stderr())
	return ""
}

// WaitStderr waits until the process wrote want to stderr.
func (p *Proc) WaitStderr(t testing.TB, want string) {
	t.Helper()
	for deadline := time.Now().Add(lineWait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(p.Stderr(), want) {
			return
		}
	}
	t.Fatalf("%v: stderr never said %q:\n%s", p.Cmd.Args, want, p.Stderr())
}

// lockedBuffer is a bytes.Buffer written by the process's copier while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
