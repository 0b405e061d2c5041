package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

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
	exitIfQuitHangs(quitGrace)
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

	if win, err = Start(ctx, a, s, false); err != nil {
		return err
	}
	a.Run()
	return nil
}

// QuitHungNotice starts the line written to stderr when a quit needed the fallback exit; the
// end-to-end tests look for it.
const QuitHungNotice = "tokentray: quitting took longer than"

// quitGrace is how long a quit on SIGTERM or SIGINT may take.
const quitGrace = 3 * time.Second

// exitIfQuitHangs makes SIGTERM and SIGINT end the process even if Fyne's quit hangs: a session
// logout must not wait on a dead tray icon. Fyne v2.8.1 hung here when a Lifecycle OnStopped
// callback was set (tokentray no longer sets one); the goroutine dump on stderr is for whoever
// meets the next such hang.
func exitIfQuitHangs(grace time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		time.Sleep(grace)
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		fmt.Fprintf(os.Stderr, "%s %s; exiting anyway. Goroutines:\n%s\n", QuitHungNotice, grace, buf[:n])
		os.Exit(0)
	}()
}
