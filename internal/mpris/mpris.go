// Package mpris follows a local Spotify player over the D-Bus session bus (MPRIS), so the tray
// can show what plays and offer Play/Pause, Next and Previous without any Web API call.
//
// It reads PlaybackStatus and Metadata when a player appears, then follows PropertiesChanged
// and NameOwnerChanged signals; it never polls. Position is not followed and Seeked not relied
// on: Spotify's clients report them unreliably.
package mpris

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/clock"
	"tokentray/internal/webapi"
)

const (
	busPrefix   = "org.mpris.MediaPlayer2."
	objectPath  = dbus.ObjectPath("/org/mpris/MediaPlayer2")
	playerIface = "org.mpris.MediaPlayer2.Player"
	propsIface  = "org.freedesktop.DBus.Properties"
)

// DefaultPlayers are the bus-name suffixes of Spotify players: the official client, spotifyd
// (which adds ".instance<pid>"), ncspot and spotify_player. Earlier entries are preferred when
// several are active.
var DefaultPlayers = []string{"spotify", "spotifyd", "ncspot", "spotify_player"}

// ErrNoPlayer is returned by the controls when no player is on the bus.
var ErrNoPlayer = errors.New("no Spotify player on the session bus")

// Snapshot is what the local players report.
type Snapshot struct {
	// Player is the bus name of the player followed, "" when none is on the bus.
	Player string
	// Active is true while that player reports Playing or Paused with metadata: then it tells
	// what plays and the Web API need not be asked. When false, music may still play on another
	// device.
	Active  bool
	Playing *webapi.Playing // nil unless Active
}

// player is what is known about one bus name.
type player struct {
	name, owner string
	status      string
	metadata    map[string]dbus.Variant
}

// Watcher follows the players; see Watch.
type Watcher struct {
	conn     *dbus.Conn
	suffixes []string

	mu      sync.Mutex
	players map[string]*player // by well-known name
	current string             // bus name of the player Snapshot reports
	toRead  map[string]bool    // players to read (again) at the next delivery
}

// Coalesce is the shortest time between two Snapshots: a player flooding signals (any program
// can take a player's name) costs the tray at most four updates a second. A change after a quiet
// Coalesce is delivered at once; changes within it are merged, and the last one delivered when
// it ends, so the last state always wins.
const Coalesce = 250 * time.Millisecond

// rereadTimeout bounds reading a player's properties again.
const rereadTimeout = 2 * time.Second

// Watch starts following the players whose bus names end in one of suffixes (nil means
// DefaultPlayers) on conn, which should be a connection of its own: Watch adds match rules and
// a signal channel to it and removes them when ctx ends. It calls onChange with the first
// Snapshot and with every one that differs, from a single goroutine, at most once per Coalesce
// (see there); onChange must not block for long.
func Watch(ctx context.Context, conn *dbus.Conn, suffixes []string, onChange func(Snapshot)) (*Watcher, error) {
	return watchWithClock(ctx, conn, suffixes, clock.Real(), onChange)
}

func watchWithClock(ctx context.Context, conn *dbus.Conn, suffixes []string, clk clock.Clock, onChange func(Snapshot)) (*Watcher, error) {
	if suffixes == nil {
		suffixes = DefaultPlayers
	}
	w := &Watcher{conn: conn, suffixes: suffixes, players: map[string]*player{}, toRead: map[string]bool{}}
	matches := [][]dbus.MatchOption{
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg0Namespace(strings.TrimSuffix(busPrefix, "."))},
		{dbus.WithMatchObjectPath(objectPath), dbus.WithMatchInterface(propsIface),
			dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchArg(0, playerIface)},
	}
	for i, m := range matches {
		if err := conn.AddMatchSignalContext(ctx, m...); err != nil {
			for _, added := range matches[:i] {
				_ = conn.RemoveMatchSignal(added...)
			}
			return nil, fmt.Errorf("watch MPRIS players on the session bus: %w", err)
		}
	}
	// godbus hands each signal that finds the channel full to a goroutine of its own, which
	// loses their order (and the last state might not win): room for a burst, and a loop that
	// calls the bus only when a player arrived or invalidated a property, keep them in order.
	signals := make(chan *dbus.Signal, 1024)
	conn.Signal(signals)
	// Subscribed before listing the names, so that a player appearing in between is not missed.
	var names []string
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
		conn.RemoveSignal(signals)
		for _, m := range matches {
			_ = conn.RemoveMatchSignal(m...)
		}
		return nil, fmt.Errorf("list the players on the session bus: %w", err)
	}
	for _, name := range names {
		if w.wanted(name) {
			w.appear(ctx, name)
		}
	}
	last := w.snapshot() // before returning, so the controls know the player at once
	go func() {
		defer func() {
			conn.RemoveSignal(signals)
			for _, m := range matches {
				_ = conn.RemoveMatchSignal(m...)
			}
		}()
		w.follow(ctx, signals, clk, last, onChange)
	}()
	return w, nil
}

// follow delivers last, then takes in signals until ctx ends or the connection closes, and
// delivers the Snapshots that differ, coalesced (see Coalesce).
func (w *Watcher) follow(ctx context.Context, signals <-chan *dbus.Signal, clk clock.Clock, last Snapshot, onChange func(Snapshot)) {
	onChange(last)
	var (
		sentAt time.Time        // of the last delivery
		stale  bool             // a player said properties changed without their values
		window <-chan time.Time // open while a delivery waits for Coalesce to pass
		timer  clock.Timer      // behind window
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	deliver := func() {
		if stale {
			w.reread(ctx)
			stale = false
		}
		if s := w.snapshot(); !reflect.DeepEqual(s, last) {
			last, sentAt = s, clk.Now()
			onChange(s)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-signals:
			if !ok {
				return // the connection closed
			}
			stale = w.handle(sig) || stale
			if window != nil {
				continue // merged into the delivery that waits
			}
			if wait := Coalesce - clk.Now().Sub(sentAt); wait > 0 {
				timer = clk.NewTimer(wait)
				window = timer.C()
				continue
			}
			deliver() // the leading edge: a lone change is not delayed
		case <-window:
			window, timer = nil, nil
			deliver()
		}
	}
}

// wanted reports whether name is one of the players followed, and how preferred (lower is better).
func (w *Watcher) wanted(name string) bool { return w.rank(name) >= 0 }

func (w *Watcher) rank(name string) int {
	rest, ok := strings.CutPrefix(name, busPrefix)
	if !ok {
		return -1
	}
	return slices.IndexFunc(w.suffixes, func(s string) bool { return rest == s || strings.HasPrefix(rest, s+".") })
}

// handle takes in a signal. It reports whether a player must be read (it arrived, or said only
// that properties changed): that waits for the delivery, so that a burst costs one read.
func (w *Watcher) handle(sig *dbus.Signal) (reread bool) {
	switch sig.Name {
	case "org.freedesktop.DBus.NameOwnerChanged":
		var name, oldOwner, newOwner string
		if dbus.Store(sig.Body, &name, &oldOwner, &newOwner) != nil || !w.wanted(name) {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if newOwner == "" {
			delete(w.players, name)
			delete(w.toRead, name)
			return false
		}
		w.toRead[name] = true // read when the change is delivered
		return true
	case propsIface + ".PropertiesChanged":
		var iface string
		var changed map[string]dbus.Variant
		var invalidated []string
		if sig.Path != objectPath || dbus.Store(sig.Body, &iface, &changed, &invalidated) != nil || iface != playerIface {
			return
		}
		w.mu.Lock()
		var from *player
		for _, p := range w.players {
			if p.owner == sig.Sender {
				from = p
			}
		}
		if from == nil {
			w.mu.Unlock()
			return false
		}
		applyChanges(from, changed)
		reread = slices.Contains(invalidated, "PlaybackStatus") || slices.Contains(invalidated, "Metadata")
		if reread {
			w.toRead[from.name] = true
		}
		w.mu.Unlock()
		return reread
	}
	return false
}

func applyChanges(p *player, changed map[string]dbus.Variant) {
	if v, ok := changed["PlaybackStatus"]; ok {
		p.status, _ = v.Value().(string)
	}
	if v, ok := changed["Metadata"]; ok {
		p.metadata, _ = v.Value().(map[string]dbus.Variant)
	}
}

// appear reads a player's state after it arrived on the bus (or asked to be re-read).
func (w *Watcher) appear(ctx context.Context, name string) {
	p := &player{name: name}
	if err := w.conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, name).Store(&p.owner); err != nil {
		return // gone again
	}
	var props map[string]dbus.Variant
	if w.conn.Object(name, objectPath).CallWithContext(ctx, propsIface+".GetAll", 0, playerIface).Store(&props) == nil {
		applyChanges(p, props)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.players[name] = p
}

// reread reads the players that arrived or invalidated properties since the last reread.
func (w *Watcher) reread(ctx context.Context) {
	w.mu.Lock()
	names := slices.Collect(maps.Keys(w.toRead))
	clear(w.toRead)
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, rereadTimeout)
	defer cancel()
	for _, name := range names {
		w.appear(ctx, name)
	}
}

// snapshot picks the player to report: the most preferred active one, else the most preferred
// present one.
func (w *Watcher) snapshot() Snapshot {
	w.mu.Lock()
	defer w.mu.Unlock()
	var best Snapshot
	bestRank := -1
	for name, p := range w.players {
		s := Snapshot{Player: name, Playing: toPlaying(p.status, p.metadata)}
		s.Active = s.Playing != nil
		r := w.rank(name)
		better := bestRank < 0 || s.Active && !best.Active || s.Active == best.Active && (r < bestRank || r == bestRank && name < best.Player)
		if better {
			best, bestRank = s, r
		}
	}
	w.current = best.Player
	return best
}

// PlayPause toggles playback on the player Snapshot reports.
func (w *Watcher) PlayPause(ctx context.Context) error { return w.call(ctx, "PlayPause") }

// Next skips to the next item.
func (w *Watcher) Next(ctx context.Context) error { return w.call(ctx, "Next") }

// Previous goes back to the previous item (or the start of this one, as the player decides).
func (w *Watcher) Previous(ctx context.Context) error { return w.call(ctx, "Previous") }

func (w *Watcher) call(ctx context.Context, method string) error {
	w.mu.Lock()
	name := w.current
	w.mu.Unlock()
	if name == "" {
		return ErrNoPlayer
	}
	if err := w.conn.Object(name, objectPath).CallWithContext(ctx, playerIface+"."+method, 0).Err; err != nil {
		return fmt.Errorf("%s on %s: %w", method, name, err)
	}
	return nil
}
