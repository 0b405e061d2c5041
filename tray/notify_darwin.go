package tray

import (
	"fmt"
	"os"

	"github.com/gen2brain/beeep"
)

// Notifier shows macOS notifications with beeep: the user notification center through purego
// (no cgo of its own), falling back to osascript's `display notification`.
type Notifier struct{}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify shows title and body. A failure is logged: a notification is never worth a crash.
func (n *Notifier) Notify(title, body string) { n.NotifyImage(title, body, "") }

// NotifyImage is Notify with an image file shown beside the text, such as a cover.
func (*Notifier) NotifyImage(title, body, imagePath string) {
	if err := beeep.Notify(title, body, imagePath); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, err)
	}
}

// Close does nothing: each notification is a call of its own.
func (*Notifier) Close() {}
