package tray

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/session"
)

// recordingPlatform is a Platform that keeps what it was told, for the tests to read.
type recordingPlatform struct {
	mu       sync.Mutex
	menus    [][]Item
	icons    int
	tooltips []string
	titles   []string
	changed  chan struct{}
}

func newRecordingPlatform() *recordingPlatform {
	return &recordingPlatform{changed: make(chan struct{}, 100)}
}

func (p *recordingPlatform) SetMenu(items []Item) {
	p.mu.Lock()
	p.menus = append(p.menus, items)
	p.mu.Unlock()
	p.changed <- struct{}{}
}

func (p *recordingPlatform) SetIcon([]byte) {
	p.mu.Lock()
	p.icons++
	p.mu.Unlock()
}

func (p *recordingPlatform) SetTooltip(text string) {
	p.mu.Lock()
	p.tooltips = append(p.tooltips, text)
	p.mu.Unlock()
}

func (p *recordingPlatform) SetTitle(text string) {
	p.mu.Lock()
	p.titles = append(p.titles, text)
	p.mu.Unlock()
}

func (p *recordingPlatform) lastMenu() []Item {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.menus) == 0 {
		return nil
	}
	return p.menus[len(p.menus)-1]
}

func (p *recordingPlatform) menuCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.menus)
}

// waitForMenu waits until the menu has an item starting with prefix and returns it.
func (p *recordingPlatform) waitForMenu(t *testing.T, prefix string) Item {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		for _, it := range p.lastMenu() {
			if strings.HasPrefix(it.Label, prefix) {
				return it
			}
		}
		select {
		case <-p.changed:
		case <-deadline:
			t.Fatalf("no menu item %q; menu %q", prefix, labels(p.lastMenu()))
		}
	}
}

// fakeSource is a session whose state the test sets and whose copies it scripts.
type fakeSource struct {
	mu      sync.Mutex
	st      session.State
	subs    []func(session.State)
	copyErr error
	copies  []session.Copyable
}

func (f *fakeSource) State() session.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeSource) Subscribe(fn func(session.State)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, fn)
	return func() {}
}

func (f *fakeSource) set(st session.State) {
	f.mu.Lock()
	f.st = st
	subs := f.subs
	f.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

func (f *fakeSource) Copy(what session.Copyable) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.copies = append(f.copies, what)
	return "copied", f.copyErr
}

// liveState is loggedIn on the real clock, which the Tray runs on.
func liveState() session.State {
	st := loggedIn(nil)
	st.AccessExpiry = time.Now().Add(52 * time.Minute)
	return st
}

func startTray(t *testing.T, src *fakeSource, notify func(title, body string)) (*Tray, *recordingPlatform) {
	t.Helper()
	p := newRecordingPlatform()
	tr := New(p, src, Actions{}, notify)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go tr.Run(ctx)
	return tr, p
}

func TestCopyFromTheMenuConfirmsAndRendersAgain(t *testing.T) {
	src := &fakeSource{st: liveState()}
	_, p := startTray(t, src, nil)
	copyItem := p.waitForMenu(t, "Copy access token (valid")
	copyItem.Action()
	p.waitForMenu(t, "Access token copied ✓")
	if got := src.copies; len(got) != 1 || got[0] != session.CopyUserToken {
		t.Fatalf("copies %q, want one user token", got)
	}
	// The confirmation goes away by itself.
	p.waitForMenu(t, "Copy access token (valid")
}

func TestAFailedCopySaysWhyInTheMenuAndANotification(t *testing.T) {
	src := &fakeSource{st: liveState(), copyErr: errors.New("no X display for the clipboard")}
	src.st.Settings.Notifications = true
	var mu sync.Mutex
	var notes []string
	_, p := startTray(t, src, func(title, body string) {
		mu.Lock()
		notes = append(notes, title+": "+body)
		mu.Unlock()
	})
	p.waitForMenu(t, LabelCopyEnv).Action()
	if it := p.waitForMenu(t, "⚠ Copy failed"); it.Label != "⚠ Copy failed: no X display for the clipboard" || it.Enabled() {
		t.Fatalf("failure line %q enabled=%v", it.Label, it.Enabled())
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		got := strings.Join(notes, "\n")
		mu.Unlock()
		if got == "tokentray: copy failed: no X display for the clipboard" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("notifications %q", got)
		}
	}
}

func TestOnlyChangesReachThePlatform(t *testing.T) {
	src := &fakeSource{st: liveState()}
	tr, p := startTray(t, src, nil)
	p.waitForMenu(t, "Copy access token")
	tr.render()
	tr.render()
	if n := p.menuCount(); n != 1 {
		t.Fatalf("%d menus sent for one state, want 1", n)
	}
	st := liveState()
	st.Authorization = session.NeedsLogin
	src.set(st)
	p.waitForMenu(t, LabelLoginNeed)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.icons != 2 || len(p.tooltips) != 2 || p.tooltips[1] != "tokentray: log in needed" {
		t.Fatalf("icons %d, tooltips %q: want one of each per visible change", p.icons, p.tooltips)
	}
}

func TestStoppedTrayLeavesThePlatformAlone(t *testing.T) {
	src := &fakeSource{st: liveState()}
	tr, p := startTray(t, src, nil)
	p.waitForMenu(t, "Copy access token")
	tr.Stop()
	st := liveState()
	st.Authorization = session.NeedsLogin
	src.set(st)
	if n := p.menuCount(); n != 1 {
		t.Fatalf("%d menus after Stop, want the 1 from before", n)
	}
}

func TestSystrayCallsStopQuietlyWhenTheBusIsClosed(t *testing.T) {
	p := &systrayPlatform{}
	calls := 0
	p.do(func() { calls++; panic(fmt.Errorf("emitting: %w", dbus.ErrClosed)) }) // must not panic
	p.do(func() { calls++ })                                                    // and then does nothing
	if calls != 1 {
		t.Fatalf("%d calls after the bus closed, want 1", calls)
	}
}

func TestSystrayCallsDoNotHideOtherPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a panic that is not a closed bus was swallowed")
		}
	}()
	(&systrayPlatform{}).do(func() { panic("a bug") })
}

// TestTrayImportsNoUIToolkit keeps the tray process light: Fyne's render loop and GL stack cost
// about 1 % of a core and 100 MB all day even with no window shown.
func TestTrayImportsNoUIToolkit(t *testing.T) {
	for _, pkg := range []string{"tokentray/tray", "tokentray/internal/trayproc"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "fyne.io/fyne") || strings.HasPrefix(dep, "github.com/go-gl/") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
