//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/mpris/mpristest"
)

// trackNotificationsOn turns on the Options tab's "track notification" in the profile's settings.
func (d *desktop) trackNotificationsOn(t *testing.T) {
	t.Helper()
	path := local.SettingsFile(d.dir)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var settings map[string]any
	if err := json.Unmarshal(raw, &settings); err != nil {
		t.Fatal(err)
	}
	settings["track_notifications"] = true
	if raw, err = json.Marshal(settings); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// track is a Spotify track without cover art: the tray would fetch a cover from the internet.
func track(id, title string, artists ...string) map[string]dbus.Variant {
	md := mpristest.Track(id, title, "Album", 200, artists...)
	delete(md, "mpris:artUrl")
	return md
}

// residentWithPlayer starts a player playing "Opening Track", then the tray with track
// notifications on, and returns once the tray shows the track.
func residentWithPlayer(t *testing.T, fake *fakespotify.Server, d *desktop) (*proc, *harness.Item, *mpristest.Player) {
	t.Helper()
	// The Web API plays nothing: were its first answer another track than the local player's,
	// the player's track would be a change and notify, and which comes first is a race.
	fake.Player().Stop()
	d.trackNotificationsOn(t)
	player := mpristest.StartPlayer(t, d.session.BusAddress, mpristest.Spotify, "Playing", track("opening", "Opening Track"))
	tr := d.startTray(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	item, err := d.session.WaitForItem(ctx)
	if err == nil {
		_, err = item.WaitForTooltip(ctx, func(tip string) bool { return strings.HasSuffix(tip, "Opening Track") })
	}
	if err != nil {
		t.Fatalf("the tray never showed the player's track: %v\nstderr:\n%s", err, tr.Stderr())
	}
	return tr, item, player
}

func trackNotifications(d *desktop) []harness.Notification {
	var out []harness.Notification
	for _, n := range d.session.Notifications() {
		if n.Summary == "Now playing" {
			out = append(out, n)
		}
	}
	return out
}

// cpuTime is the CPU time a process has used (utime + stime of /proc/<pid>/stat).
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name, in parentheses, may hold spaces: the fields follow the last ")".
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, raw)
	}
	const userHZ = 100 // clock ticks a second: USER_HZ, 100 on every Linux ABI
	return time.Duration(utime+stime) * time.Second / userHZ
}

func TestMPRISFloodIsCoalescedAndNotificationsCapped(t *testing.T) {
	const flood = 10_000
	fake, d := loggedInDesktop(t)
	tr, item, player := residentWithPlayer(t, fake, d)
	pid := tr.Cmd.Process.Pid

	cpuBefore, began := cpuTime(t, pid), time.Now()
	for i := range flood {
		player.Set("", track(fmt.Sprintf("flood%05d", i), fmt.Sprintf("Flood title %d", i)))
	}
	sent := time.Since(began)
	cpuFlood := cpuTime(t, pid) - cpuBefore

	// How long after the flood the tray shows the last title, or what it shows instead.
	last := fmt.Sprintf("Flood title %d", flood-1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // the promise
	defer cancel()
	shown := func(wait func() error) string {
		if err := wait(); err != nil {
			t.Errorf("the last title never showed: %v", err)
			return "never"
		}
		return (time.Since(began) - sent).Round(time.Millisecond).String()
	}
	tooltipAfter := shown(func() error {
		_, err := item.WaitForTooltip(ctx, func(tip string) bool { return strings.HasSuffix(tip, last) })
		return err
	})
	menuAfter := shown(func() error {
		_, err := item.WaitForLabel(ctx, harness.Label(last))
		return err
	})
	cpuToShown := cpuTime(t, pid) - cpuBefore

	// Once the flood is over the tray is idle again: measure it over 3 s.
	const idle = 3 * time.Second
	cpuIdleStart := cpuTime(t, pid)
	time.Sleep(idle)
	cpuIdle := cpuTime(t, pid) - cpuIdleStart
	notes := trackNotifications(d)

	if len(notes) > 2 {
		t.Errorf("%d track notifications for a flood of %d titles, want at most 2", len(notes), flood)
	}
	if share := float64(cpuIdle) / float64(idle); share > 0.10 {
		t.Errorf("the tray used %s of CPU in the %s after the flood (%.0f %% of a core), want under 10 %%", cpuIdle, idle, 100*share)
	}
	report(t, row{id: "M.1", fault: fmt.Sprintf("a program on the session bus takes the Spotify player's name and floods %d PropertiesChanged, a new title each, track notifications on", flood),
		done:    "the MPRIS watcher coalesces signals (at once, then at most one update per 250 ms, the last state wins); track notifications: one per item, at most 2 at once then one a minute, the rest dropped",
		promise: "at most 2 notifications, the last title shown within 5 s, the tray idle (<10 % of a core) once the flood ends",
		measured: fmt.Sprintf("%d notifications; flood sent in %s, tray CPU %s during it (%.0f %% of a core), %s until the last title showed or 5 s passed; "+
			"last title in the tooltip %s and in the menu %s after the flood; CPU %s over the next %s",
			len(notes), sent.Round(time.Millisecond), cpuFlood, 100*float64(cpuFlood)/float64(sent), cpuToShown,
			tooltipAfter, menuAfter, cpuIdle, idle)})
}

func TestMPRISTextIsEscapedForEachOutput(t *testing.T) {
	fake, d := loggedInDesktop(t)
	d.session.SetNotificationCapabilities("body", "body-markup") // as GNOME, KDE, dunst and mako
	_, item, player := residentWithPlayer(t, fake, d)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// A bidi override, an ampersand (markup in bodies; the mnemonic on Windows) and an underscore
	// (the mnemonic in dbusmenu).
	player.Set("", track("simon", "\u202eSimon & Garfunkel_x"))
	note, err := d.session.WaitForNotification(ctx, func(n harness.Notification) bool {
		return n.Summary == "Now playing" && strings.Contains(n.Body, "Garfunkel")
	})
	if err != nil {
		t.Fatal(err)
	}
	if note.Body != "Simon &amp; Garfunkel_x" {
		t.Errorf("notification body %q, want %q", note.Body, "Simon &amp; Garfunkel_x")
	}
	label, err := item.WaitForLabel(ctx, harness.LabelPrefix("Simon"))
	if err != nil {
		t.Fatal(err)
	}
	if label.Label != "Simon & Garfunkel__x" {
		t.Errorf("menu label over dbusmenu %q, want %q", label.Label, "Simon & Garfunkel__x")
	}
	tip, err := item.Tooltip()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tip, " · Simon & Garfunkel_x") {
		t.Errorf("tooltip %q, want it to end in the title without the bidi override", tip)
	}

	// A 1 MB title.
	player.Set("", track("huge", strings.Repeat("x", 1<<20)))
	bigTip, err := item.WaitForTooltip(ctx, func(tip string) bool { return strings.HasSuffix(tip, "x…") })
	if err != nil {
		t.Fatal(err)
	}
	bigLabel, err := item.WaitForLabel(ctx, harness.LabelPrefix("xxx"))
	if err != nil {
		t.Fatal(err)
	}
	bigNote, err := d.session.WaitForNotification(ctx, func(n harness.Notification) bool {
		return n.Summary == "Now playing" && strings.HasPrefix(n.Body, "xxx")
	})
	if err != nil {
		t.Fatal(err)
	}
	tipRunes, labelRunes, bodyRunes := len([]rune(bigTip)), len([]rune(bigLabel.Label)), len([]rune(bigNote.Body))
	if tipRunes != 127 || labelRunes != 60 || bodyRunes != 512 {
		t.Errorf("a 1 MB title: tooltip %d runes, menu label %d, notification body %d; want 127, 60, 512", tipRunes, labelRunes, bodyRunes)
	}
	report(t, row{id: "M.2", fault: "a player sends a title with a bidi override, `&` and `_` (\"\\u202eSimon & Garfunkel_x\"), then a 1 MB title",
		done:    "player text is cleaned and cut to 512 runes where it is read; each output escapes for itself: body markup only where the server advertises it, `_` doubled in dbusmenu (`&` on Windows), tooltips cut to 127 runes",
		promise: "the text shows as sent, nothing reorders it, nothing grows past its place",
		measured: fmt.Sprintf("body %q, menu label %q, tooltip ends %q; 1 MB title: tooltip %d runes, menu label %d, notification body %d",
			note.Body, label.Label, tip[strings.LastIndex(tip, "·"):], tipRunes, labelRunes, bodyRunes)})
}
