//go:build e2e

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/e2e/harness"
	"tokentray/internal/mpris/mpristest"
	"tokentray/tray"
)

// windowPIDs are the window processes (`tokentray window`) of this journey's config directory,
// whether their tray still runs or not.
func (j *journey) windowPIDs() []int {
	j.t.Helper()
	entries, err := os.ReadDir("/proc")
	j.must("list /proc", err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(args) != 2 || args[0] != binary || args[1] != "window" {
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && slices.Contains(strings.Split(string(environ), "\x00"), "TOKENTRAY_CONFIG_DIR="+j.dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitForWindows waits until exactly n window processes run, and returns their pids.
func (j *journey) waitForWindows(n int) []int {
	j.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if pids := j.windowPIDs(); len(pids) == n {
			return pids
		}
		if time.Now().After(deadline) {
			j.fail(fmt.Sprintf("wait for %d window processes", n), fmt.Errorf("running: %v", j.windowPIDs()))
		}
	}
}

// Journey: the window is a process of its own. Killing it (kill -9) leaves the tray working;
// a second start raises a window instead of starting a second tray; `tokentray token` beside the
// tray costs no token-endpoint call; Settings… twice opens one window.
func TestWindowIsAProcessOfItsOwn(t *testing.T) {
	j := sharedJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	j.login(nil)
	window := j.waitForWindows(1)[0] // Log in… brought the window up

	j.must("kill -9 the window", syscall.Kill(window, syscall.SIGKILL))
	j.waitForWindows(0)
	user := j.copyItem(harness.LabelPrefix("Copy access token ("))
	if _, _, ok := j.fake.AccessTokenValid(user); !ok {
		j.fail("copy after the window was killed", errors.New("the copied token is not valid"))
	}

	tokenCalls := j.fake.Count("POST", "/api/token")
	out, stderr, err := j.cli(within(t, 30*time.Second), "token")
	j.must("run tokentray token beside the tray: "+stderr, err)
	if kind, _, ok := j.fake.AccessTokenValid(strings.TrimSpace(out)); !ok || kind != "user" {
		j.fail("check the token the CLI printed", fmt.Errorf("kind %q, valid %v", kind, ok))
	}
	if n := j.fake.Count("POST", "/api/token") - tokenCalls; n != 0 {
		j.fail("count token-endpoint calls", fmt.Errorf("tokentray token made %d; the tray's cache should answer", n))
	}

	_, stderr, err = j.cli(within(t, 30*time.Second))
	j.must("start tokentray a second time", err)
	if !strings.Contains(stderr, "already running: its window was brought up") {
		j.fail("start tokentray a second time", fmt.Errorf("it said %q", stderr))
	}
	j.waitForWindows(1)
	if it, err := j.sess.WaitForItem(within(t, 5*time.Second)); err != nil || it.PID != j.app.PID() {
		j.fail("count tray items", fmt.Errorf("the newest item is pid %v (%v), want the first tray's %d", it, err, j.app.PID()))
	}

	j.must("click Settings…", j.item.Click(harness.Label(tray.LabelSettings)))
	j.must("click Settings… again", j.item.Click(harness.Label(tray.LabelSettings)))
	time.Sleep(time.Second) // a second window, if one were started, would be up by now
	j.waitForWindows(1)
	j.stop() // and its window goes with it
}

// Journey: with Spotify's desktop client on the bus (a fake MPRIS player), the tray shows what
// it plays at once and asks the Web API nothing; Next track reaches the player; `now --follow`
// prints each change once; when the player quits, the Web API is asked again.
func TestLocalPlayerSparesTheQuota(t *testing.T) {
	j := parallelJourney(t)
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	j.login(nil)

	player := mpristest.StartPlayer(t, j.sess.BusAddress, mpristest.Spotify, "Playing",
		mpristest.Track("1LocalTrk", "Local Song", "Local Album", 200, "Local Band"))
	_, err := j.item.WaitForLabel(within(t, 5*time.Second), harness.Label("Local Band — Local Song"))
	j.must("see the local player's track", err)

	follow := exec.Command(binary, "now", "--follow")
	follow.Env = append(j.sess.Env(), j.env()...)
	stdout, err := follow.StdoutPipe()
	j.must("pipe now --follow", err)
	j.must("start now --follow", follow.Start())
	t.Cleanup(func() { follow.Process.Kill(); follow.Wait() })
	lines := make(chan string, 16)
	go func() {
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expectLine := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				j.fail("read now --follow", fmt.Errorf("line %q, want %q", got, want))
			}
		case <-time.After(10 * time.Second):
			j.fail("read now --follow", fmt.Errorf("no line %q", want))
		}
	}
	expectLine("Local Band — Local Song")
	expectLine("https://open.spotify.com/track/1LocalTrk")

	player.Set("", mpristest.Track("2LocalTrk", "Second Song", "Local Album", 180, "Local Band"))
	_, err = j.item.WaitForLabel(within(t, 5*time.Second), harness.Label("Local Band — Second Song"))
	j.must("see the track change", err)
	// Counted from here: a poll already on its way when the player appeared may still arrive
	// just after its first track showed.
	polls := j.fake.Count("GET", "/v1/me/player/currently-playing")
	expectLine("Local Band — Second Song")
	expectLine("https://open.spotify.com/track/2LocalTrk")
	player.Set("Paused", nil)
	expectLine("Paused: Local Band — Second Song")
	expectLine("https://open.spotify.com/track/2LocalTrk")
	select {
	case extra := <-lines:
		j.fail("read now --follow", fmt.Errorf("a line nothing changed for: %q", extra))
	case <-time.After(time.Second):
	}

	j.must("click Play", j.item.Click(harness.Label(tray.LabelPlay)))
	select {
	case call := <-player.Calls:
		if call != "PlayPause" {
			j.fail("click Play", fmt.Errorf("the player got %s", call))
		}
	case <-time.After(10 * time.Second):
		j.fail("click Play", errors.New("the player got no call"))
	}
	if n := j.fake.Count("GET", "/v1/me/player/currently-playing") - polls; n != 0 {
		j.fail("count currently-playing calls", fmt.Errorf("%d while the local player said what plays", n))
	}

	player.Vanish()
	_, err = j.item.WaitForLabel(within(t, 10*time.Second), nowPlaying(warmup.Name))
	j.must("see the Web API take over when the player quits", err)
	// The Web API's last answer shows at once; the poller asks again right away, since the music
	// may go on on another device.
	for deadline := time.Now().Add(10 * time.Second); j.fake.Count("GET", "/v1/me/player/currently-playing") == polls; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			j.fail("count currently-playing calls", errors.New("none within 10 s after the local player quit"))
		}
	}
	if _, err := j.item.Find(harness.Label(tray.LabelNext)); err == nil {
		j.fail("check the player controls", errors.New("Next track is still in the menu without a player"))
	}
}
