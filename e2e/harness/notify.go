//go:build e2e || faults

package harness

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	notificationsName = "org.freedesktop.Notifications"
	notificationsPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Notification is one recorded org.freedesktop.Notifications.Notify call.
type Notification struct {
	ID        uint32
	Sender    string // unique bus name of the caller
	AppName   string
	Replaces  uint32
	Icon      string
	Summary   string
	Body      string
	Actions   []string
	Hints     map[string]dbus.Variant
	Timeout   int32
	Closed    bool // CloseNotification was called for ID
	Delivered time.Time
}

type notificationServer struct {
	conn *dbus.Conn

	mu     sync.Mutex
	lastID uint32
	log    []Notification
	caps   []string // what GetCapabilities answers
}

// notifications holds exactly the D-Bus methods of org.freedesktop.Notifications.
type notifications struct{ server *notificationServer }

func exportNotificationServer(conn *dbus.Conn) (*notificationServer, error) {
	n := &notificationServer{conn: conn, caps: []string{"body"}}
	if err := conn.Export(notifications{n}, notificationsPath, notificationsName); err != nil {
		return nil, err
	}
	return n, requestName(conn, notificationsName)
}

// Notify records the call and returns a fresh id (or the replaced one, as the spec says).
func (n notifications) Notify(sender dbus.Sender, appName string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s := n.server
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replaces
	if id == 0 {
		s.lastID++
		id = s.lastID
	}
	s.log = append(s.log, Notification{ID: id, Sender: string(sender), AppName: appName, Replaces: replaces, Icon: icon,
		Summary: summary, Body: body, Actions: actions, Hints: hints, Timeout: timeout, Delivered: time.Now()})
	return id, nil
}

// CloseNotification marks the notification closed and emits NotificationClosed with
// reason 3 ("closed by a call to CloseNotification").
func (n notifications) CloseNotification(id uint32) *dbus.Error {
	s := n.server
	s.mu.Lock()
	for i := range s.log {
		if s.log[i].ID == id {
			s.log[i].Closed = true
		}
	}
	s.mu.Unlock()
	_ = s.conn.Emit(notificationsPath, notificationsName+".NotificationClosed", id, uint32(3))
	return nil
}

// GetCapabilities lists what the server supports: "body" (a minimal server) unless
// SetNotificationCapabilities said otherwise.
func (n notifications) GetCapabilities() ([]string, *dbus.Error) {
	n.server.mu.Lock()
	defer n.server.mu.Unlock()
	return n.server.caps, nil
}

// GetServerInformation names the harness as the server.
func (n notifications) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "tokentray-e2e", "tokentray", "1", "1.2", nil
}

func (s *notificationServer) snapshot() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.log...)
}

func (s *notificationServer) describe() string {
	all := s.snapshot()
	if len(all) == 0 {
		return "no notification received"
	}
	var b strings.Builder
	for _, n := range all {
		fmt.Fprintf(&b, "#%d from %q: %q / %q closed=%v\n", n.ID, n.AppName, n.Summary, n.Body, n.Closed)
	}
	return b.String()
}

// SetNotificationCapabilities sets what the notification server answers to GetCapabilities
// from now on, e.g. "body", "body-markup" as GNOME, KDE, dunst and mako do.
func (s *Session) SetNotificationCapabilities(caps ...string) {
	s.notes.mu.Lock()
	defer s.notes.mu.Unlock()
	s.notes.caps = caps
}

// Notifications returns every notification received so far, oldest first.
func (s *Session) Notifications() []Notification { return s.notes.snapshot() }

// WaitForNotification returns the first recorded notification (already received or
// arriving before ctx ends) that satisfies pred.
func (s *Session) WaitForNotification(ctx context.Context, pred func(Notification) bool) (Notification, error) {
	return poll(ctx, "a matching notification", func(context.Context) (Notification, bool, error) {
		for _, n := range s.notes.snapshot() {
			if pred(n) {
				return n, true, nil
			}
		}
		return Notification{}, false, nil
	}, s.notes.describe)
}
