// Package mpristest plays a Spotify client on a D-Bus session bus for tests: an MPRIS player
// exporting PlaybackStatus and Metadata the way Spotify's clients do, quirks included, and
// recording the control calls it receives. The unit tests of package mpris and the end-to-end
// journeys both use it.
package mpristest

import (
	"bufio"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// The MPRIS names a player exports.
const (
	objectPath  = dbus.ObjectPath("/org/mpris/MediaPlayer2")
	playerIface = "org.mpris.MediaPlayer2.Player"
	propsIface  = "org.freedesktop.DBus.Properties"
	// Spotify is the official client's bus name.
	Spotify = "org.mpris.MediaPlayer2.spotify"
)

// PrivateBus starts a dbus-daemon of the test's own and returns its address.
func PrivateBus(t testing.TB) string {
	t.Helper()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
		"--address=unix:dir="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon (Debian package dbus): %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read dbus-daemon's address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// Connect connects to the bus at addr until the test ends.
func Connect(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the test bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// Player is an MPRIS player on a test bus.
type Player struct {
	t    testing.TB
	conn *dbus.Conn

	mu       sync.Mutex
	status   string
	metadata map[string]dbus.Variant
	// Calls receives "PlayPause", "Next" and "Previous" as they arrive.
	Calls chan string
}

// StartPlayer connects a player to the bus at addr and takes name, with status and metadata
// set before the name appears.
func StartPlayer(t testing.TB, addr, name, status string, metadata map[string]dbus.Variant) *Player {
	t.Helper()
	p := &Player{t: t, conn: Connect(t, addr), status: status, metadata: metadata, Calls: make(chan string, 16)}
	if err := p.conn.Export(playerMethods{p}, objectPath, playerIface); err != nil {
		t.Fatal(err)
	}
	if err := p.conn.Export(propsMethods{p}, objectPath, propsIface); err != nil {
		t.Fatal(err)
	}
	reply, err := p.conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take the name %s: %v (reply %d)", name, err, reply)
	}
	return p
}

// Set changes the properties and announces them in one PropertiesChanged signal, as Spotify
// does on a track change; "" leaves the status and nil the metadata unchanged.
func (p *Player) Set(status string, metadata map[string]dbus.Variant) {
	p.t.Helper()
	p.mu.Lock()
	changed := map[string]dbus.Variant{}
	if status != "" {
		p.status = status
		changed["PlaybackStatus"] = dbus.MakeVariant(status)
	}
	if metadata != nil {
		p.metadata = metadata
		changed["Metadata"] = dbus.MakeVariant(metadata)
	}
	p.mu.Unlock()
	if err := p.conn.Emit(objectPath, propsIface+".PropertiesChanged", playerIface, changed, []string{}); err != nil {
		p.t.Fatal(err)
	}
}

// Vanish leaves the bus, as when the player quits.
func (p *Player) Vanish() {
	p.t.Helper()
	if err := p.conn.Close(); err != nil {
		p.t.Fatal(err)
	}
}

// Track is the metadata the current Spotify client sends for a track: the ID as an object
// path, the artists as a list and the length in µs as int64.
func Track(id, title, album string, seconds int64, artists ...string) map[string]dbus.Variant {
	return map[string]dbus.Variant{
		"mpris:trackid": dbus.MakeVariant(dbus.ObjectPath("/com/spotify/track/" + id)),
		"mpris:length":  dbus.MakeVariant(seconds * 1_000_000),
		"mpris:artUrl":  dbus.MakeVariant("https://open.spotify.com/image/ab67616d0000b273" + id),
		"xesam:title":   dbus.MakeVariant(title),
		"xesam:album":   dbus.MakeVariant(album),
		"xesam:artist":  dbus.MakeVariant(artists),
		"xesam:url":     dbus.MakeVariant("https://open.spotify.com/track/" + id),
	}
}

type playerMethods struct{ p *Player }

func (m playerMethods) PlayPause() *dbus.Error { m.p.Calls <- "PlayPause"; return nil }
func (m playerMethods) Next() *dbus.Error      { m.p.Calls <- "Next"; return nil }
func (m playerMethods) Previous() *dbus.Error  { m.p.Calls <- "Previous"; return nil }

type propsMethods struct{ p *Player }

func (m propsMethods) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	if iface != playerIface {
		return map[string]dbus.Variant{}, nil
	}
	m.p.mu.Lock()
	defer m.p.mu.Unlock()
	return map[string]dbus.Variant{
		"PlaybackStatus": dbus.MakeVariant(m.p.status),
		"Metadata":       dbus.MakeVariant(m.p.metadata),
		"Position":       dbus.MakeVariant(int64(0)), // what older clients always say
	}, nil
}

func (m propsMethods) Get(iface, prop string) (dbus.Variant, *dbus.Error) {
	all, _ := m.GetAll(iface)
	v, ok := all[prop]
	if !ok {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{prop})
	}
	return v, nil
}
