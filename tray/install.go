package tray

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"tokentray/assets"
	"tokentray/internal/session"
)

// Source is the session the tray follows; app.Backend satisfies it.
type Source interface {
	State() session.State
	Subscribe(func(session.State)) (unsubscribe func())
}

// CopyActions copy and report failure; the tray confirms success in the menu itself. They run
// off the Fyne goroutine.
type CopyActions struct {
	UserToken, AppToken, Env func() error
}

// Tray keeps the system tray in step with the session.
type Tray struct {
	desk   desktop.App
	acts   Actions
	notify func(error)

	mu      sync.Mutex // guards the fields below, written from session callbacks and the UI goroutine
	st      session.State
	copied  map[CopyItem]time.Time
	stopped bool // systray's D-Bus connection is closed: the app is quitting

	// renderMu serialises render: once Fyne's loop has stopped, fyne.Do runs its function on the
	// caller's goroutine, so renders still queued by the session may run side by side.
	renderMu sync.Mutex
	// What the platform shows now (render's own), so that only changes are sent: every icon sent
	// is re-encoded and announced over D-Bus, and hosts re-read it.
	shownIcon    fyne.Resource
	shownTooltip string
	shownTitle   string
}

// ErrNoTray means the driver has no system tray (mobile, or a test app).
var ErrNoTray = errors.New("this platform has no system tray: keep the window open to use tokentray")

// Install shows tokentray in the system tray. acts supplies the non-copy actions; copies run
// through copies so the menu can confirm them, and their errors go to notify (which should tell
// the user, e.g. with a notification). It re-renders on every session change and once a minute,
// because the token's remaining minutes are part of a label, until ctx ends.
func Install(ctx context.Context, a fyne.App, src Source, acts Actions, copies CopyActions, notify func(error)) (*Tray, error) {
	desk, ok := a.(desktop.App)
	if !ok {
		return nil, ErrNoTray
	}
	t := &Tray{desk: desk, acts: acts, notify: notify, st: src.State(), copied: map[CopyItem]time.Time{}}
	t.acts.CopyUserToken = t.copyAction(CopyUserToken, copies.UserToken)
	t.acts.CopyAppToken = t.copyAction(CopyAppToken, copies.AppToken)
	t.acts.CopyEnv = t.copyAction(CopyEnv, copies.Env)
	// No Lifecycle().SetOnStopped here: in Fyne v2.8.1 the stopped callback is queued while the
	// loop drains its queue, can be lost there, and then Run never returns: the quit hangs.
	t.render()

	src.Subscribe(func(st session.State) {
		t.mu.Lock()
		t.st = st
		t.mu.Unlock()
		fyne.Do(t.render)
	})
	go func() {
		minute := time.NewTicker(time.Minute)
		defer minute.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-minute.C:
				fyne.Do(t.render)
			}
		}
	}()
	return t, nil
}

func (t *Tray) copyAction(which CopyItem, copyFn func() error) func() {
	return func() {
		// The copy hops onto the UI goroutine itself (fyne.DoAndWait), so start it from another.
		go func() {
			err := copyFn()
			fyne.Do(func() {
				if err != nil {
					t.notify(err)
					return
				}
				t.mu.Lock()
				t.copied[which] = time.Now()
				t.mu.Unlock()
				t.render()
				time.AfterFunc(FlashFor, func() { fyne.Do(t.render) })
			})
		}()
	}
}

// render must run through fyne.Do.
func (t *Tray) render() {
	t.renderMu.Lock()
	defer t.renderMu.Unlock()
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	st := State{State: t.st, Copied: make(map[CopyItem]time.Time, len(t.copied))}
	for k, v := range t.copied {
		st.Copied[k] = v
	}
	t.mu.Unlock()

	defer t.recoverFromClosedBus()
	t.desk.SetSystemTrayMenu(Menu(st, time.Now(), t.acts))
	if icon := assets.TrayIcon(IconState(st.State), st.Demo); icon != t.shownIcon {
		t.desk.SetSystemTrayIcon(icon)
		t.shownIcon = icon
	}
	// Fyne sets the title to the app name once; from then on tooltip and title are ours.
	if tip := Tooltip(st.State); tip != t.shownTooltip {
		systray.SetTooltip(tip)
		t.shownTooltip = tip
	}
	if title := Title(st.State); title != t.shownTitle {
		systray.SetTitle(title)
		t.shownTitle = title
	}
}

// recoverFromClosedBus stops the tray when systray panics because its D-Bus connection is
// closed: on SIGTERM Fyne closes it and then still runs the updates already queued, and systray
// panics (SetMust) instead of returning an error. Any other panic is not ours to hide.
func (t *Tray) recoverFromClosedBus() {
	r := recover()
	if r == nil {
		return
	}
	if err, ok := r.(error); ok && errors.Is(err, dbus.ErrClosed) {
		t.mu.Lock()
		t.stopped = true
		t.mu.Unlock()
		return
	}
	panic(r)
}
