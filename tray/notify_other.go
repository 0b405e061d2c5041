//go:build !linux && !windows && !darwin

package tray

import (
	"fmt"
	"os"
)

// Notifier writes notifications to stderr on the systems left (the BSDs): the tray process has
// no notification service it knows there, and the menu's warning lines say the same.
type Notifier struct{}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify logs title and body.
func (*Notifier) Notify(title, body string) { fmt.Fprintf(os.Stderr, "%s: %s\n", title, body) }

// NotifyImage logs title and body; the image has nowhere to go.
func (n *Notifier) NotifyImage(title, body, _ string) { n.Notify(title, body) }

// Close does nothing.
func (*Notifier) Close() {}
