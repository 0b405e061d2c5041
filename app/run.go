package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tokentray/auth"
	"tokentray/internal/browser"
	"tokentray/internal/instance"
	"tokentray/internal/session"
)

// ID is the app ID, as in FyneApp.toml; Fyne keys its preferences and notifications by it.
const ID = "io.github.tokentray"

// RunOptions are the flags of a desktop start.
type RunOptions struct {
	Demo            bool
	InsecureStorage bool
}

// Run starts the desktop app and returns when the user quits. A second start shows the running
// instance's window and returns at once.
func Run(o RunOptions) error {
	dir, err := auth.ConfigDir()
	if err != nil {
		return err
	}
	opts := session.Options{ConfigDir: dir, Service: auth.KeyringService, Insecure: o.InsecureStorage, OpenBrowser: browser.Open}
	if o.Demo {
		var stop func()
		if opts, stop, err = session.Demo(session.Options{Insecure: o.InsecureStorage, OpenBrowser: browser.Open}); err != nil {
			return err
		}
		defer stop()
	}

	a := fyneapp.NewWithID(ID)
	var win *Window
	primary, err := instance.Acquire(opts.ConfigDir, func() {
		fyne.Do(func() {
			if win != nil {
				win.Show()
			}
		})
	})
	if errors.Is(err, instance.ErrRunning) {
		fmt.Fprintln(os.Stderr, "tokentray:", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer primary.Release()

	opts.Notify = func(title, body string) {
		fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
	}
	s, err := session.Open(opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	if win, err = Start(a, s, false); err != nil {
		return err
	}
	a.Run()
	return nil
}
