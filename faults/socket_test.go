//go:build faults

package faults

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tray's socket against a hostile neighbour of the same machine (issue 13): a huge line, a
// stopped tray, a flood of idle connections, a restart under `now --follow`, a long config path,
// a config directory others can write, a request the command line would refuse.

// noTrayNote is what the command says on stderr when it works without a tray that runs.
const noTrayNote = "working without it"

// socketOf is the tray's socket for a config dir short enough to hold it.
func socketOf(t *testing.T, dir string) string {
	t.Helper()
	sock := filepath.Join(dir, "instance.sock")
	if len(sock) > 107 {
		t.Fatalf("config dir %s too long for this row's socket", dir)
	}
	return sock
}

// procStatus reads a field of /proc/<pid>/status in kB (VmRSS).
func procStatus(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func openFDs(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// tokenRun runs `token`; ok is a zero exit.
func tokenRun(t *testing.T, d *desktop, args ...string) (result, bool) {
	t.Helper()
	r := d.run(append([]string{"token"}, args...)...)
	return r, r.Code == 0
}

func TestSocketHugeLineLeavesNoMemory(t *testing.T) {
	t.Parallel()
	_, d := loggedInDesktop(t)
	tr := d.startTray(t)
	pid := tr.Cmd.Process.Pid
	if r, ok := tokenRun(t, d); !ok {
		t.Fatalf("token before: exit %d\n%s", r.Code, r.Stderr)
	}
	before := procStatus(t, pid, "VmRSS")
	conn, err := net.Dial("unix", socketOf(t, d.dir))
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(strings.Repeat("x", 1<<20))
	sent := 0
	conn.SetWriteDeadline(time.Now().Add(time.Minute))
	for sent < 100<<20 {
		n, err := conn.Write(chunk)
		sent += n
		if err != nil {
			break
		}
	}
	conn.Close()
	time.Sleep(time.Second)
	after := procStatus(t, pid, "VmRSS")
	r, ok := tokenRun(t, d)
	report(t, row{
		id:      "S.1",
		fault:   "a client sends a 100 MB request line without a newline to the tray's socket",
		done:    "the tray reads at most 64 KiB of a line, answers that the request is too long and closes the connection",
		promise: "the tray's memory stays within a few MB of where it was; it keeps answering",
		measured: fmt.Sprintf("VmRSS %d kB before, %d kB after (%+d kB); the tray took %.1f MB before closing; `token` after: exit %d",
			before, after, after-before, float64(sent)/(1<<20), r.Code),
	})
	if after-before > 8<<10 || sent >= 100<<20 || !ok {
		t.Fatalf("RSS %d → %d kB, sent %d bytes, token exit %d\n%s", before, after, sent, r.Code, r.Stderr)
	}
}

func TestSocketStoppedTrayTokenWorksAlone(t *testing.T) {
	t.Parallel()
	fake, d := loggedInDesktop(t)
	tr := d.startTray(t)
	if r, ok := tokenRun(t, d); !ok || strings.Contains(r.Stderr, noTrayNote) {
		t.Fatalf("token through the tray: exit %d\n%s", r.Code, r.Stderr)
	}
	tr.Cmd.Process.Signal(syscall.SIGSTOP)
	resume := func() { tr.Cmd.Process.Signal(syscall.SIGCONT) }
	t.Cleanup(resume)
	stopped, _ := tokenRun(t, d)
	kind, left, valid := fake.AccessTokenValid(strings.TrimSpace(stopped.Stdout))
	resume()
	// The command refreshed (and rotated the PKCE refresh token) while the tray slept: the tray
	// must take the rotated login from the store, not spend its own old copy.
	again, ok := tokenRun(t, d)
	kept := d.loginKept(fake)
	report(t, row{
		id:      "S.2",
		fault:   "the tray is stopped (SIGSTOP) while `tokentray token` asks it",
		done:    "the command gives the tray 2 s, then refreshes on its own under the refresh lock; the tray reads the rotated login when it wakes",
		promise: "`token` ends within 3 s with a valid token; after SIGCONT the tray answers again and no login is lost",
		measured: fmt.Sprintf("stopped: exit %d in %.2f s, token valid %v (%s, %s left); woken: exit %d in %.2f s; login kept %v",
			stopped.Code, stopped.Took.Seconds(), valid, kind, left.Round(time.Second), again.Code, again.Took.Seconds(), kept),
	})
	if stopped.Code != 0 || stopped.Took > 3*time.Second || !valid || !strings.Contains(stopped.Stderr, noTrayNote) {
		t.Fatalf("token beside a stopped tray: exit %d in %s, valid %v\n%s", stopped.Code, stopped.Took, valid, stopped.Stderr)
	}
	if !ok || strings.Contains(again.Stderr, noTrayNote) || !kept {
		t.Fatalf("after SIGCONT: exit %d, login kept %v\n%s", again.Code, kept, again.Stderr)
	}
}

func TestSocketIdleFloodAndEMFILE(t *testing.T) {
	t.Parallel()
	_, d := loggedInDesktop(t)
	tr := d.startTray(t)
	pid := tr.Cmd.Process.Pid
	base := openFDs(t, pid)
	limit := base + 24
	if out, err := exec.Command("prlimit", "--pid", strconv.Itoa(pid), fmt.Sprintf("--nofile=%d:%d", limit, limit)).CombinedOutput(); err != nil {
		t.Fatalf("prlimit: %v %s", err, out)
	}
	sock := socketOf(t, d.dir)
	var idle []net.Conn
	refusedDials := 0
	for range 1100 {
		c, err := net.Dial("unix", sock)
		if err != nil {
			refusedDials++ // the backlog is full: the kernel refuses at once
			continue
		}
		idle = append(idle, c)
	}
	time.Sleep(2 * time.Second)
	peakFDs := openFDs(t, pid)
	for _, c := range idle {
		c.Close()
	}
	const warn = "tokentray: the socket takes no connection; retrying"
	const recovered = "tokentray: the socket takes connections again"
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(tr.Stderr(), recovered) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	r, ok := tokenRun(t, d)
	spells, recoveries := strings.Count(tr.Stderr(), warn), strings.Count(tr.Stderr(), recovered)
	after := openFDs(t, pid)
	report(t, row{
		id:      "S.3",
		fault:   "1,100 idle connections to the tray, whose descriptor limit is lowered so that Accept fails with EMFILE",
		done:    "64 connections are served (idle ones cut after 5 s), the rest told the tray is busy; a failing Accept is retried with backoff, logged once a spell (until a minute without failures)",
		promise: "the tray keeps accepting: `token` answers through it once the idle connections close",
		measured: fmt.Sprintf("fd limit %d (%d open at start, %d at the peak, %d after); %d connected, %d refused by the kernel; "+
			"%d EMFILE spell(s) logged, %d recovery; `token` after: exit %d in %.2f s through the tray %v",
			limit, base, peakFDs, after, len(idle), refusedDials, spells, recoveries, r.Code, r.Took.Seconds(), !strings.Contains(r.Stderr, noTrayNote)),
	})
	if spells != 1 || recoveries != 1 {
		t.Fatalf("%d spells logged, %d recoveries; stderr:\n%s", spells, recoveries, tr.Stderr())
	}
	if !ok || strings.Contains(r.Stderr, noTrayNote) {
		t.Fatalf("token after the flood: exit %d\n%s", r.Code, r.Stderr)
	}
}

// followLines passes on the labels of the lines `now --follow --format json` prints, until the
// test ends.
func followLines(t *testing.T, pr *proc) <-chan string {
	labels := make(chan string, 64)
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	go func() {
		seen := 0
		for {
			lines := strings.Split(pr.Stdout(), "\n")
			for ; seen < len(lines)-1; seen++ {
				var l struct{ Label string }
				json.Unmarshal([]byte(lines[seen]), &l)
				labels <- l.Label
			}
			select {
			case <-quit:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return labels
}

func TestSocketFollowAcrossATrayRestart(t *testing.T) {
	t.Parallel()
	_, d := loggedInDesktop(t)
	tr := d.startTray(t)
	follow := d.start(nil, "now", "--follow", "--format", "json")
	labels := followLines(t, follow)
	next := func(what string) (string, time.Duration) {
		began := time.Now()
		select {
		case l := <-labels:
			return l, time.Since(began)
		case <-time.After(30 * time.Second):
			t.Fatalf("no line for %s; stderr:\n%s", what, follow.Stderr())
		}
		return "", 0
	}
	first, _ := next("the first state")
	tr.Cmd.Process.Signal(os.Interrupt)
	tr.Wait(t, 30*time.Second)
	gone, tookGone := next("the tray quitting")
	d.startTray(t)
	back, tookBack := next("the tray back")
	follow.Cmd.Process.Signal(syscall.SIGTERM)
	end := follow.Wait(t, 10*time.Second)
	report(t, row{
		id:      "S.4",
		fault:   "the tray quits and starts again under `tokentray now --follow` (a Waybar module)",
		done:    "--follow prints a \"tokentray is not running\" line in the chosen format and reconnects (0.5 s, doubling to 5 s)",
		promise: "the command keeps running: it says the tray is gone, then follows the new tray",
		measured: fmt.Sprintf("lines %q → %q (%.1f s after the quit) → %q (%.1f s after the new tray's item appeared); SIGTERM: exit %d",
			first, gone, tookGone.Seconds(), back, tookBack.Seconds(), end.Code),
	})
	if first == "" || gone != "tokentray is not running" || back != first || end.Code != 0 {
		t.Fatalf("lines %q, %q, %q; exit %d\n%s", first, gone, back, end.Code, end.Stderr)
	}
}

func TestSocketLongConfigPath(t *testing.T) {
	t.Parallel()
	fake := startFake(t)
	d := newDesktop(t, fake.URL())
	runtimeDir, err := os.MkdirTemp("", "rt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtimeDir) })
	d.dir = filepath.Join(d.dir, strings.Repeat("long-config-directory-", 5))
	d.env = append(d.env, "TOKENTRAY_CONFIG_DIR="+d.dir, "XDG_RUNTIME_DIR="+runtimeDir) // later entries win
	d.login("")
	alone, _ := tokenRun(t, d)
	d.startTray(t)
	through, _ := tokenRun(t, d)
	now := d.run("now")
	sockets, _ := filepath.Glob(filepath.Join(runtimeDir, "tokentray-*.sock"))
	report(t, row{
		id:      "S.5",
		fault:   "a config directory whose socket path is longer than the 108 bytes of sun_path",
		done:    "the socket moves to $XDG_RUNTIME_DIR/tokentray-<hash of the config dir>.sock; tray and clients derive the same name",
		promise: "without a tray `token` works on its own; the tray starts and answers `token` and `now`",
		measured: fmt.Sprintf("socket path would be %d bytes; no tray: exit %d; tray started, %d socket(s) in the runtime dir; token exit %d (through the tray %v), now exit %d",
			len(filepath.Join(d.dir, "instance.sock")), alone.Code, len(sockets), through.Code, !strings.Contains(through.Stderr, noTrayNote), now.Code),
	})
	if alone.Code != 0 || through.Code != 0 || strings.Contains(through.Stderr, noTrayNote) || now.Code != 0 || len(sockets) != 1 {
		t.Fatalf("alone %d %s\nthrough %d %s\nnow %d %s", alone.Code, alone.Stderr, through.Code, through.Stderr, now.Code, now.Stderr)
	}
}

func TestSocketWorldWritableConfigDir(t *testing.T) {
	t.Parallel()
	_, d := loggedInDesktop(t)
	d.startTray(t)
	if err := os.Chmod(d.dir, 0o777); err != nil {
		t.Fatal(err)
	}
	refused, _ := tokenRun(t, d)
	os.Chmod(d.dir, 0o700)
	fixed, _ := tokenRun(t, d)
	want := d.dir + " is writable by other users (mode 0777): another user could replace tokentray's socket in it; run: chmod 700 " + d.dir
	report(t, row{
		id:      "S.6",
		fault:   "the config directory is made 0777 while the tray runs (another user could replace the socket)",
		done:    "clients check the directory's mode and owner and the serving process's uid (SO_PEERCRED) before sending anything",
		promise: "`token` refuses with what, where and the chmod to run; after the chmod it works again",
		measured: fmt.Sprintf("0777: exit %d, stdout %d bytes, stderr %q; after chmod 700: exit %d",
			refused.Code, len(refused.Stdout), strings.TrimSpace(refused.Stderr), fixed.Code),
	})
	if refused.Code == 0 || refused.Stdout != "" || !strings.Contains(refused.Stderr, want) || fixed.Code != 0 {
		t.Fatalf("refused %d %q %q; fixed %d %s", refused.Code, refused.Stdout, refused.Stderr, fixed.Code, fixed.Stderr)
	}
}

func TestSocketMinValidLikeTheCommand(t *testing.T) {
	t.Parallel()
	fake, d := loggedInDesktop(t)
	d.startTray(t)
	before := fake.Count("POST", "/api/token")
	conn, err := net.Dial("unix", socketOf(t, d.dir))
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(conn, `{"v":1,"op":"token","min_valid_seconds":7200}`)
	answer, _ := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	cli := d.run("token", "--min-valid", "2h")
	calls := fake.Count("POST", "/api/token") - before
	report(t, row{
		id:      "S.7",
		fault:   "a client asks the socket for a token valid 7200 s, which the command line refuses",
		done:    "the socket decodes requests with the command's own check (local.CheckMinValid)",
		promise: "refused on both, with the same range, and no refresh",
		measured: fmt.Sprintf("socket: %s; `token --min-valid 2h`: exit %d %q; token-endpoint calls %d",
			strings.TrimSpace(answer), cli.Code, strings.TrimSpace(cli.Stderr), calls),
	})
	if !strings.Contains(answer, "min_valid_seconds 7200: choose a duration from 1m to 50m") || strings.Contains(answer, "access_token\"") ||
		cli.Code != 2 || !strings.Contains(cli.Stderr, "choose a duration from 1m to 50m") || calls != 0 {
		t.Fatalf("socket %q; cli %d %q; calls %d", answer, cli.Code, cli.Stderr, calls)
	}
}
