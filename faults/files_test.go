//go:build faults

package faults

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/fakespotify"
)

// webAPICalls counts the requests that reached the fake's Web API (/v1/…).
func webAPICalls(fake *fakespotify.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/v1/") {
			n++
		}
	}
	return n
}

// statusSays runs `status` until its output holds want (the tray answers once its socket is up),
// and returns the last run.
func (d *desktop) statusSays(t *testing.T, want string) result {
	t.Helper()
	var r result
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r = d.run("status"); strings.Contains(r.Stdout, want) {
			return r
		}
	}
	t.Fatalf("status never said %q:\n%s%s", want, r.Stdout, r.Stderr)
	return r
}

func TestACallLogThatIsAFIFOHangsNothing(t *testing.T) {
	_, d := loggedInDesktop(t)
	path := filepath.Join(d.dir, "api-calls.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// status first, with the FIFO in place and no tray: it reads the log and must not block.
	before := d.start(nil, "status").Wait(t, 20*time.Second)
	if before.Code != 0 || !strings.Contains(before.Stdout, "Web API calls in the last 24 h: unknown ("+path+" is not a regular file but a FIFO (named pipe))") {
		t.Fatalf("status with a FIFO: exit %d\n%s%s", before.Code, before.Stdout, before.Stderr)
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("status changed the FIFO: %v, %v", info, err)
	}
	tr := d.startTray(t)
	started := time.Since(tr.Started)
	warning := "it was moved to " + path + ".damaged and today's count starts again from zero"
	shown := strings.ReplaceAll(warning, d.dir, "$CONFIG")
	tr.WaitStderr(t, warning)
	after := d.start(nil, "status").Wait(t, 20*time.Second)
	if after.Code != 0 || !strings.Contains(after.Stdout, "Web API calls in the last 24 h: ") || strings.Contains(after.Stdout, "unknown") {
		t.Fatalf("status with the tray: exit %d\n%s%s", after.Code, after.Stdout, after.Stderr)
	}
	report(t, row{id: "F.1", fault: "api-calls.json (the day's Web API call log) is a FIFO",
		done:     "the log is read like settings.json (Lstat, a regular file, at most 4 MiB): `status` says the count is unknown and why; the tray moves the FIFO aside to api-calls.json.damaged, says so on stderr, and counts from zero",
		promise:  "neither the tray nor `status` opens the FIFO; the tray starts; nothing is deleted",
		measured: fmt.Sprintf("status before the tray: exit 0 in %v; tray's item on the bus %v after its start; status with the tray: exit 0 in %v; stderr: %q", before.Took.Round(time.Millisecond), started.Round(time.Millisecond), after.Took.Round(time.Millisecond), shown)})
}

func TestNowOutputReplacesNoFIFOAndNoDevice(t *testing.T) {
	_, p := loggedIn(t, false)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	targets := []string{fifo}
	// A copy of /dev/full's node (char 1,7), as root; else /dev/full itself, checked afterwards.
	full := filepath.Join(dir, "full")
	if err := syscall.Mknod(full, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Logf("mknod: %v; using /dev/full", err)
		full = "/dev/full"
	}
	targets = append(targets, full)
	var measured []string
	for _, target := range targets {
		var before syscall.Stat_t
		if err := syscall.Lstat(target, &before); err != nil {
			t.Fatal(err)
		}
		r := p.start(nil, "now", "--output", target).Wait(t, 20*time.Second)
		var after syscall.Stat_t
		if err := syscall.Lstat(target, &after); err != nil {
			t.Fatal(err)
		}
		want := "; --output replaces only a regular file: choose a regular file or a new path"
		if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, "--output "+target+" is not a regular file but a ") || !strings.Contains(r.Stderr, want) {
			t.Errorf("now --output %s: exit %d, stdout %q, stderr %q", target, r.Code, r.Stdout, r.Stderr)
		}
		if after.Ino != before.Ino || after.Mode != before.Mode || after.Rdev != before.Rdev {
			t.Errorf("%s was replaced: mode %o rdev %d ino %d, was %o %d %d", target, after.Mode, after.Rdev, after.Ino, before.Mode, before.Rdev, before.Ino)
		}
		measured = append(measured, fmt.Sprintf("%s: exit %d in %v, %q, mode %o rdev %d unchanged", filepath.Base(target), r.Code, r.Took.Round(time.Millisecond),
			strings.ReplaceAll(strings.TrimSpace(r.Stderr), dir, "$TMP"), after.Mode, after.Rdev))
	}
	report(t, row{id: "F.2", fault: "`now --output` names a FIFO or a device node (as root: a copy of /dev/full)",
		done:     "--output takes only a regular file (or a link to one) or a new path in an existing directory, checked before anything is written; the atomic write itself replaces no FIFO, device or directory",
		promise:  "exit 2 with what, where and how to fix; the node is left as it was",
		measured: strings.Join(measured, "; ")})
}

func TestAQuotaBlockSurvivesRestarts(t *testing.T) {
	fake, d := loggedInDesktop(t)
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "4kQm2Tn8XvLpR7cJw1ZbYd", Name: "Long Song", Artists: []string{"Band"}, Duration: time.Hour})
	fake.Player().Play()
	fake.SetQuota(fakespotify.Quota{Calls: 1, Block: 50000 * time.Second})
	if r := d.run("now"); r.Code != 0 { // spends the one call the quota allows
		t.Fatalf("now: exit %d: %s", r.Code, r.Stderr)
	}
	const blocked = "Now playing:    Spotify's daily quota for your apps is used up until "
	tr := d.startTray(t)
	d.statusSays(t, blocked) // the tray's first poll met the 429 (Retry-After 50000)
	if data, err := os.ReadFile(filepath.Join(d.dir, "api-calls.json")); err != nil || !strings.Contains(string(data), `"blocked_reason":"QUOTA_EXCEEDED"`) {
		t.Fatalf("api-calls.json holds no block: %s (%v)", data, err)
	}
	first := webAPICalls(fake)
	refused := fake.QuotaRefused()
	stop := func(tr *proc) {
		tr.Cmd.Process.Signal(os.Interrupt)
		if r := tr.Wait(t, 20*time.Second); r.Code != 0 {
			t.Fatalf("the tray exited %d: %s", r.Code, r.Stderr)
		}
	}
	stop(tr)
	var took []string
	for range 3 {
		tr := d.start(nil)
		// The tray's own text; the file's, shown while no tray answers, adds the reason.
		d.statusSays(t, "; now playing resumes then\n")
		took = append(took, time.Since(tr.Started).Round(time.Millisecond).String())
		stop(tr)
	}
	after := webAPICalls(fake) - first
	if after != 0 {
		t.Errorf("%d Web API calls after the first 429, want 0", after)
	}
	report(t, row{id: "F.3", fault: "Spotify answers 429 QUOTA_EXCEEDED with Retry-After 50000 s; the tray is restarted 3 times",
		done:     "the poller saves the block's end and reason in api-calls.json; a tray started before then makes no call and shows the block at once",
		promise:  "no Web API call after the first 429 until the block ends; the tray and `status` say until when",
		measured: fmt.Sprintf("Web API calls at the fake after the first 429: %d over 3 restarts (429s answered: %d); each restarted tray said so in `status` after %s", after, refused, strings.Join(took, ", "))})
}

func TestManyWatchersCostNoMoreThanTheSchedule(t *testing.T) {
	fake, d := loggedInDesktop(t)
	// One track an hour long: after the first poll the schedule checks every 87 s.
	fake.Player().SetQueue(fakespotify.Item{Kind: "track", ID: "4kQm2Tn8XvLpR7cJw1ZbYd", Name: "Long Song", Artists: []string{"Band"}, Duration: time.Hour})
	fake.Player().Play()
	d.startTray(t)
	d.statusSays(t, "(now playing 1)") // the first poll is done
	firstPoll := time.Now()
	before := fake.Count(http.MethodGet, "/v1/me/player/currently-playing")
	const watchers = 60
	began := time.Now()
	for i := range watchers {
		if wait := time.Until(began.Add(time.Duration(i) * 500 * time.Millisecond)); wait > 0 {
			time.Sleep(wait)
		}
		w := d.start(nil, "now", "--follow")
		if line := w.FirstLine(t); line != "Band — Long Song" {
			t.Fatalf("watcher %d printed %q", i, line)
		}
		w.Cmd.Process.Signal(os.Interrupt)
		w.Wait(t, 10*time.Second)
	}
	window := time.Since(began)
	calls := fake.Count(http.MethodGet, "/v1/me/player/currently-playing") - before
	// The schedule's own checks in the window: 87 s apart from the first poll.
	own := int(time.Since(firstPoll) / (87 * time.Second))
	if calls > own {
		t.Errorf("%d now-playing calls while %d watchers came and went in %v; the schedule's own: %d", calls, watchers, window, own)
	}
	report(t, row{id: "F.4", fault: "60 `now --follow` watchers opened and closed within 30 s (each watch connection wakes the poller)",
		done:     "a wake polls only if the last poll is as old as the schedule's check interval (87–90 s here, stretched as the budget is used); `now` with nothing known still asks once",
		promise:  "watchers cost no Web API calls beyond the schedule's own (main: one per watcher)",
		measured: fmt.Sprintf("%d watchers in %v: %d now-playing calls; the schedule's own in that time: %d", watchers, window.Round(100*time.Millisecond), calls, own)})
}
