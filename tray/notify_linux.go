package tray

import (
	"fmt"
	"os"
	"sync"

	"github.com/godbus/dbus/v5"

	"tokentray/assets"
)

// Notifier shows desktop notifications through org.freedesktop.Notifications on the session
// bus, with godbus (which the tray already uses for its icon) rather than another library.
type Notifier struct {
	mu   sync.Mutex
	conn *dbus.Conn // nil until the first notification, and after a failed connection
}

// NewNotifier returns a Notifier; it connects on first use, so a desktop without a notification
// service costs nothing until tokentray has something to say.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify shows title and body. A failure is logged: a notification is never worth a crash.
func (n *Notifier) Notify(title, body string) { n.NotifyImage(title, body, "") }

// NotifyImage is Notify with an image file shown beside the text, such as a cover.
func (n *Notifier) NotifyImage(title, body, imagePath string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, err)
			return
		}
		n.conn = conn
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(assets.AppID)}
	if imagePath != "" {
		hints["image-path"] = dbus.MakeVariant(imagePath)
	}
	call := n.conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").Call(
		"org.freedesktop.Notifications.Notify", 0, "tokentray", uint32(0), assets.AppID, title, body, []string{}, hints, int32(-1))
	if call.Err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, call.Err)
		n.conn.Close()
		n.conn = nil
	}
}

// Close ends the Notifier's bus connection.
func (n *Notifier) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
}
