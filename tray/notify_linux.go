package tray

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"

	"tokentray/assets"
)

const (
	notificationsName = "org.freedesktop.Notifications"
	notificationsPath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Notifier shows desktop notifications through org.freedesktop.Notifications on the session
// bus, with godbus (which the tray already uses for its icon) rather than another library.
type Notifier struct {
	mu   sync.Mutex
	conn *dbus.Conn // nil until the first notification, and after a failed connection
	// server is the notification server (its unique bus name) whose capabilities are known;
	// markup is whether it parses markup in bodies. Asked once per server: a new one (the
	// desktop's was restarted or replaced) is asked again.
	server string
	markup bool
}

// NewNotifier returns a Notifier; it connects on first use, so a desktop without a notification
// service costs nothing until tokentray has something to say.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify shows title and body. A failure is logged: a notification is never worth a crash.
func (n *Notifier) Notify(title, body string) { n.NotifyImage(title, body, "") }

// NotifyImage is Notify with an image file shown beside the text, such as a cover. title and
// body are plain text: where the server reads markup in bodies, body is escaped for it.
func (n *Notifier) NotifyImage(title, body, imagePath string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, err)
			return
		}
		n.conn, n.server = conn, ""
	}
	server := n.conn.Object(notificationsName, notificationsPath)
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(assets.AppID)}
	if imagePath != "" {
		hints["image-path"] = dbus.MakeVariant(imagePath)
	}
	call := server.Call(notificationsName+".Notify", 0, "tokentray", uint32(0), assets.AppID, title,
		notificationBody(body, n.bodyMarkup()), []string{}, hints, int32(-1))
	if call.Err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, call.Err)
		n.conn.Close()
		n.conn = nil
	}
}

// bodyMarkup reports whether the notification server parses markup in bodies, asking it only
// when it is not the one asked last. Without an owner (a server the bus starts on demand) it
// asks every time, which starts it. Callers hold mu.
func (n *Notifier) bodyMarkup() bool {
	var owner string
	if n.conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, notificationsName).Store(&owner) != nil || owner != n.server {
		var caps []string
		err := n.conn.Object(notificationsName, notificationsPath).Call(notificationsName+".GetCapabilities", 0).Store(&caps)
		n.server, n.markup = owner, err == nil && slices.Contains(caps, "body-markup")
	}
	return n.markup
}

// bodyEscaper escapes what the notification spec's body markup (a small XML subset) reads.
var bodyEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// notificationBody is body as a server reads it: escaped where it parses markup, where "&" in
// "Simon & Garfunkel" would break the whole body.
func notificationBody(body string, markup bool) string {
	if !markup {
		return body
	}
	return bodyEscaper.Replace(body)
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
