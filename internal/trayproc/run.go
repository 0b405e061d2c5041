// Package trayproc is the tray process's wiring: the config directory, demo mode, the instance
// lock and socket, the session, the window process and the signals around package tray.
package trayproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/internal/browser"
	"tokentray/internal/covers"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/trayapi"
	"tokentray/tray"
)

// Options are the flags of a tray start.
type Options struct {
	Demo            bool
	InsecureStorage bool
}

// Run runs the tray until the user quits or a signal ends it. A second start raises the running
// tray's window and returns at once.
func Run(o Options) error {
	// Caught from the start: a stop while the tray starts (its socket may already answer) goes
	// through quit like any other, once quit exists, instead of killing the process mid-start.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	dir, err := local.ConfigDir()
	if err != nil {
		return err
	}
	opts := session.Options{ConfigDir: dir, Service: local.KeyringService, Insecure: o.InsecureStorage, OpenBrowser: browser.Open}
	if o.Demo {
		var stopFake func()
		if opts, stopFake, err = startDemo(opts); err != nil {
			return err
		}
		defer stopFake()
	}

	srv, err := trayapi.Listen(opts.ConfigDir)
	if errors.Is(err, trayapi.ErrRunning) {
		if err := trayapi.NewClient(opts.ConfigDir).Show(); err != nil {
			return fmt.Errorf("tokentray is already running but did not answer (%v): quit it from its tray menu", err)
		}
		fmt.Fprintln(os.Stderr, "tokentray is already running: its window was brought up")
		return nil
	}
	if err != nil {
		return err
	}
	defer srv.Close()

	notifier := tray.NewNotifier()
	defer notifier.Close()
	opts.Notify = notifier.Notify
	apiURL := opts.APIURL // the fake's in demo mode
	if apiURL == "" {
		apiURL = auth.APIURL()
	}
	opts.NotifyTrack = trackNotifier(notifier, apiURL)
	clip, clipErr := tray.OpenClipboard()
	if clipErr == nil {
		opts.Clipboard = clip
	} else {
		opts.Clipboard = unavailableClipboard{clipErr}
	}

	s, err := session.Open(opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	windows := newWindowStarter(opts.ConfigDir, apiURL)
	srv.Serve(s, windows.start)
	// systray closes the session bus it shares with the keyring when it quits: let a refresh or
	// login under way save what Spotify sent first.
	var quitOnce sync.Once
	quit := func() {
		quitOnce.Do(func() {
			cancel()
			if !s.Wait(time.Second) {
				fmt.Fprintln(os.Stderr, "tokentray: saving the new login to the keyring before quitting; the keyring is slow to answer")
				if !s.Wait(auth.DefaultSaveRetry) {
					fmt.Fprintf(os.Stderr, "tokentray: quitting although the keyring took no save for %s: log in again if the next start asks\n", auth.DefaultSaveRetry)
				}
			}
			tray.QuitSystray()
		})
	}

	acts := tray.Actions{
		OpenNowPlaying: func() { openNowPlaying(s, notifier) },
		Login: func() {
			srv.ShowWindow()
			if err := s.StartLogin(); err != nil {
				notifier.Notify("tokentray: cannot log in yet", err.Error())
			}
		},
		Settings: srv.ShowWindow,
		Quit:     func() { go quit() },
	}
	followLocalPlayer(ctx, s, &acts, notifier.Notify)
	t := tray.New(tray.SystrayPlatform(), s, acts, notifier.Notify)

	go func() {
		<-signals
		quit()
	}()

	tray.RunSystray(func() {
		go t.Run(ctx)
		if st := s.State(); !st.HasSettings || st.Authorization != session.LoggedIn {
			srv.ShowWindow()
		}
	}, t.Stop)
	return nil
}

// openNowPlaying opens what plays in the browser. systray delivers clicks on disabled items
// too, so it checks there is something to open.
func openNowPlaying(s *session.Session, notifier *tray.Notifier) {
	link := s.State().NowPlayingURL()
	if link == "" {
		return
	}
	if err := browser.Open(link); err != nil {
		notifier.Notify("tokentray: cannot open the browser", err.Error())
	}
}

// trackNotifier shows the new track with its cover, fetched into the cover cache (from Spotify's
// image hosts or apiURL's); without a cover the notification goes out all the same.
func trackNotifier(notifier *tray.Notifier, apiURL string) func(nowplaying.State) {
	cache, cacheErr := covers.Open(apiURL)
	return func(np nowplaying.State) {
		go func() {
			cover := ""
			if art := np.Playing.ArtURL; art != "" && cacheErr == nil {
				ctx, cancel := context.WithTimeout(context.Background(), coverTimeout)
				defer cancel()
				cover, _ = cache.Get(ctx, art) // no cover is no reason to skip the notification
			}
			notifier.NotifyImage("Now playing", np.Label, cover)
		}()
	}
}

// coverTimeout bounds fetching a cover for a notification.
const coverTimeout = 10 * time.Second

// unavailableClipboard says why copies cannot work, e.g. on a Wayland session without XWayland.
type unavailableClipboard struct{ err error }

func (u unavailableClipboard) Copy(string, time.Duration) error { return u.err }
