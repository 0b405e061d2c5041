package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"tokentray/app/clip"
	"tokentray/assets"
	"tokentray/internal/session"
	"tokentray/tray"
)

// Start builds the window and puts tokentray in the system tray; call it before a.Run().
// The window opens at once when show is set, on a first start, when a login is needed, or when
// the platform has no tray (then closing the window quits). The window's clock and the tray's
// minute updates stop when ctx ends.
func Start(ctx context.Context, a fyne.App, b Backend, show bool) (*Window, error) {
	st := b.State()
	a.SetIcon(assets.AppIcon)
	a.Settings().SetTheme(newReadableTheme())
	copier := clip.New(a.Clipboard(), seconds(st.Settings.ClipboardClearSeconds), nil)
	w := NewWindow(a, b, copier)
	go w.RunClock(ctx.Done())

	// The session sends its own notifications (login needed, …); here the copier only follows
	// the clipboard setting.
	b.Subscribe(func(st session.State) {
		copier.SetClearAfter(seconds(st.Settings.ClipboardClearSeconds))
	})

	_, err := tray.Install(ctx, a, b, tray.Actions{
		OpenNowPlaying: func() { w.openNowPlaying(b.State()) },
		Login: func() {
			w.Show()
			w.login()
		},
		Settings: w.Show,
		Quit:     a.Quit,
	}, tray.CopyActions{
		UserToken: func() error { return discardMessage(onUI(w.copyUserToken)) },
		AppToken:  func() error { return discardMessage(onUI(w.copyAppToken)) },
		Env:       func() error { return discardMessage(onUI(w.copyEnv)) },
	}, w.tell)
	switch {
	case errors.Is(err, tray.ErrNoTray):
		w.win.SetCloseIntercept(nil)
		w.win.SetMaster()
		w.Show()
		return w, nil
	case err != nil:
		return nil, err
	}
	if desk, ok := a.(desktop.App); ok {
		// Left click on the icon toggles the window; Fyne also keeps the close-hides intercept.
		desk.SetSystemTrayWindow(w.win)
	}
	if show || !st.HasSettings || !st.LoggedIn || st.NeedsLogin {
		w.Show()
	}
	return w, nil
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

func discardMessage(_ string, err error) error { return err }

// onUI runs f on the Fyne goroutine and waits; the tray calls copies from its own goroutine.
func onUI(f func() (string, error)) (msg string, err error) {
	fyne.DoAndWait(func() { msg, err = f() })
	return msg, err
}

func (w *Window) openNowPlaying(st session.State) {
	// systray delivers clicks on disabled items too: check there is something to open.
	link := tray.NowPlayingURL(st)
	if link == "" {
		return
	}
	u, err := url.Parse(link)
	if err == nil {
		err = w.app.OpenURL(u)
	}
	if err != nil {
		w.tell(fmt.Errorf("opening %s in the browser: %w", link, err))
	}
}

// tell reports a failed tray action: as a notification when those are on, otherwise by
// showing the window with the error on the Tokens tab.
func (w *Window) tell(err error) {
	if w.st.Settings.Notifications {
		w.app.SendNotification(fyne.NewNotification("tokentray: copy failed", err.Error()))
		return
	}
	w.tokens.report("", err)
	w.tabs.Select(w.tokensTab)
	w.Show()
}
