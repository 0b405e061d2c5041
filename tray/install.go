package tray

import (
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"

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

	mu     sync.Mutex // st and copied are written from session callbacks and the UI goroutine
	st     session.State
	copied map[CopyItem]time.Time
}

// ErrNoTray means the driver has no system tray (mobile, or a test app).
var ErrNoTray = errors.New("this platform has no system tray: keep the window open to use tokentray")

// Install shows tokentray in the system tray. acts supplies the non-copy actions; copies run
// through copies so the menu can confirm them, and their errors go to notify (which should tell
// the user, e.g. with a notification). It re-renders on every session change and once a minute,
// because the token's remaining minutes are part of a label.
func Install(a fyne.App, src Source, acts Actions, copies CopyActions, notify func(error)) (*Tray, error) {
	desk, ok := a.(desktop.App)
	if !ok {
		return nil, ErrNoTray
	}
	t := &Tray{desk: desk, acts: acts, notify: notify, st: src.State(), copied: map[CopyItem]time.Time{}}
	t.acts.CopyUserToken = t.copyAction(CopyUserToken, copies.UserToken)
	t.acts.CopyAppToken = t.copyAction(CopyAppToken, copies.AppToken)
	t.acts.CopyEnv = t.copyAction(CopyEnv, copies.Env)
	t.render()

	src.Subscribe(func(st session.State) {
		t.mu.Lock()
		t.st = st
		t.mu.Unlock()
		fyne.Do(t.render)
	})
	go func() {
		for range time.Tick(time.Minute) {
			fyne.Do(t.render)
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

// render must run on the Fyne goroutine.
func (t *Tray) render() {
	t.mu.Lock()
	st := State{State: t.st, Copied: make(map[CopyItem]time.Time, len(t.copied))}
	for k, v := range t.copied {
		st.Copied[k] = v
	}
	t.mu.Unlock()

	t.desk.SetSystemTrayMenu(Menu(st, time.Now(), t.acts))
	t.desk.SetSystemTrayIcon(assets.TrayIcon(IconState(st.State), st.Demo))
	// Fyne sets the title to the app name once; the tooltip and a demo title are ours.
	systray.SetTooltip(Tooltip(st.State))
	if st.Demo {
		systray.SetTitle("tokentray (demo)")
	}
}
