// Package windowproc is the window process's wiring: it connects to the running tray, shows
// the window (package app) and exits when the window closes or the tray goes away.
package windowproc

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

	"tokentray/app"
	"tokentray/assets"
	"tokentray/internal/local"
	"tokentray/internal/trayapi"
)

// Run shows the window of the running tray until the user closes it. If a window is open
// already, the tray raises that one and Run returns at once.
func Run() error {
	dir, err := local.ConfigDir()
	if err != nil {
		return err
	}
	a := fyneapp.NewWithID(assets.AppID)
	// win is written before a.Run and read in fyne.Do callbacks, which run on this goroutine
	// inside a.Run.
	var win *app.Window
	remote, err := trayapi.OpenWindow(dir, func() {
		fyne.Do(func() {
			if win != nil {
				win.Show()
			}
		})
	})
	switch {
	case errors.Is(err, trayapi.ErrWindowOpen):
		return nil
	case errors.Is(err, trayapi.ErrNoTray):
		return errors.New("the window belongs to the tray, which is not running: start it with `tokentray`")
	case err != nil:
		return err
	}
	defer remote.Close()

	exitIfQuitHangs(quitGrace)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	win = app.Start(ctx, a, remote)
	go func() {
		// The tray quit, crashed or was killed: a window without it can do nothing.
		<-remote.Done()
		fyne.Do(a.Quit)
	}()
	a.Run()
	return nil
}

// QuitHungNotice starts the line written to stderr when a quit needed the fallback exit; the
// end-to-end tests look for it.
const QuitHungNotice = "tokentray: quitting the window took longer than"

// quitGrace is how long a quit on SIGTERM or SIGINT may take.
const quitGrace = 3 * time.Second

// exitIfQuitHangs makes SIGTERM and SIGINT end the window even if Fyne's quit hangs. Fyne
// v2.8.1 hung here when a Lifecycle OnStopped callback was set (tokentray sets none); the
// goroutine dump on stderr is for whoever meets the next such hang.
func exitIfQuitHangs(grace time.Duration) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig // Fyne quits on the same signals by itself
		time.Sleep(grace)
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		fmt.Fprintf(os.Stderr, "%s %s; exiting anyway. Goroutines:\n%s\n", QuitHungNotice, grace, buf[:n])
		os.Exit(0)
	}()
}
