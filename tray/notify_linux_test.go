package tray

import (
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/mpris/mpristest"
)

// notificationServer is a minimal org.freedesktop.Notifications with the capabilities it is
// given, recording the bodies it receives and how often it was asked what it can do.
type notificationServer struct {
	caps []string

	mu       sync.Mutex
	bodies   []string
	capsAsks int
}

func (s *notificationServer) Notify(appName string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies = append(s.bodies, body)
	return uint32(len(s.bodies)), nil
}

func (s *notificationServer) GetCapabilities() ([]string, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capsAsks++
	return s.caps, nil
}

func (s *notificationServer) seen() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...), s.capsAsks
}

// serveNotifications puts a notification server with caps on the bus at addr.
func serveNotifications(t *testing.T, addr string, caps ...string) (*notificationServer, *dbus.Conn) {
	t.Helper()
	s := &notificationServer{caps: caps}
	conn := mpristest.Connect(t, addr)
	if err := conn.Export(s, notificationsPath, notificationsName); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(notificationsName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take %s: %v (reply %d)", notificationsName, err, reply)
	}
	return s, conn
}

func TestNotificationBodiesAreEscapedOnlyForServersThatReadMarkup(t *testing.T) {
	addr := mpristest.PrivateBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	markupServer, conn := serveNotifications(t, addr, "body", "body-markup")
	n := NewNotifier()
	defer n.Close()

	n.Notify("Now playing", "Simon & Garfunkel <live>")
	n.Notify("Now playing", "Marrow & Finch")
	bodies, asks := markupServer.seen()
	if want := []string{"Simon &amp; Garfunkel &lt;live&gt;", "Marrow &amp; Finch"}; len(bodies) != 2 || bodies[0] != want[0] || bodies[1] != want[1] {
		t.Fatalf("bodies %q, want %q", bodies, want)
	}
	if asks != 1 {
		t.Fatalf("the server was asked its capabilities %d times for two notifications, want once", asks)
	}

	// The desktop's server is replaced by one that shows bodies as plain text.
	if _, err := conn.ReleaseName(notificationsName); err != nil {
		t.Fatal(err)
	}
	plainServer, _ := serveNotifications(t, addr, "body")
	n.Notify("Now playing", "Simon & Garfunkel")
	bodies, asks = plainServer.seen()
	if len(bodies) != 1 || bodies[0] != "Simon & Garfunkel" || asks != 1 {
		t.Fatalf("after the server changed: bodies %q, capabilities asked %d times; want [\"Simon & Garfunkel\"], once", bodies, asks)
	}
}
