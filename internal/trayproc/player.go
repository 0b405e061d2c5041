package trayproc

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/mpris"
	"tokentray/internal/session"
	"tokentray/tray"
)

// controlTimeout bounds a Play/Pause, Next or Previous call to the local player.
const controlTimeout = 5 * time.Second

// followLocalPlayer follows the Spotify player on this desktop (MPRIS) into s until ctx ends,
// and adds its controls to acts. Without a session bus (Windows, macOS, a bare server) there is
// no local player, and the Web API alone says what plays.
func followLocalPlayer(ctx context.Context, s *session.Session, acts *tray.Actions, notify func(title, body string)) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return
	}
	w, err := mpris.Watch(ctx, conn, s.State().Settings.Players, s.SetLocalPlayer)
	if err != nil {
		conn.Close()
		return
	}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	control := func(call func(context.Context) error) func() {
		return func() {
			go func() {
				ctx, cancel := context.WithTimeout(ctx, controlTimeout)
				defer cancel()
				if err := call(ctx); err != nil {
					notify("tokentray: the player did not answer", err.Error())
				}
			}()
		}
	}
	acts.PlayPause, acts.Next, acts.Previous = control(w.PlayPause), control(w.Next), control(w.Previous)
}
