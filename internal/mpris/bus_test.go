package mpris

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
)

// privateBus starts a dbus-daemon of its own for the test and returns its address.
func privateBus(t testing.TB) string {
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

func connect(t testing.TB, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the test bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// fakePlayer is an MPRIS player on the test bus, exporting org.mpris.MediaPlayer2.Player's
// PlaybackStatus and Metadata the way Spotify's clients do, quirks included. It records the
// control calls it receives.
type fakePlayer struct {
	t    testing.TB
	conn *dbus.Conn
	name string

	mu       sync.Mutex
	status   string
	metadata map[string]dbus.Variant
	calls    chan string
}

// startPlayer connects a player to the bus at addr and takes name, with status and metadata
// set before the name appears.
func startPlayer(t testing.TB, addr, name, status string, metadata map[string]dbus.Variant) *fakePlayer {
	t.Helper()
	p := &fakePlayer{t: t, conn: connect(t, addr), name: name, status: status, metadata: metadata, calls: make(chan string, 16)}
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

// set changes the properties and announces them in one PropertiesChanged signal, as Spotify
// does on a track change; a nil metadata leaves Metadata unchanged.
func (p *fakePlayer) set(status string, metadata map[string]dbus.Variant) {
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

// vanish leaves the bus, as when the player quits.
func (p *fakePlayer) vanish() {
	p.t.Helper()
	if err := p.conn.Close(); err != nil {
		p.t.Fatal(err)
	}
}

type playerMethods struct{ p *fakePlayer }

func (m playerMethods) PlayPause() *dbus.Error { m.p.calls <- "PlayPause"; return nil }
func (m playerMethods) Next() *dbus.Error      { m.p.calls <- "Next"; return nil }
func (m playerMethods) Previous() *dbus.Error  { m.p.calls <- "Previous"; return nil }

type propsMethods struct{ p *fakePlayer }

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

// watch runs Watch on its own connection and delivers its snapshots on a channel.
func watch(t testing.TB, addr string, suffixes []string) (*Watcher, chan Snapshot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	snaps := make(chan Snapshot, 64)
	w, err := Watch(ctx, connect(t, addr), suffixes, func(s Snapshot) { snaps <- s })
	if err != nil {
		t.Fatal(err)
	}
	return w, snaps
}
