package tray

import (
	"fmt"
	"os"
	"sync"

	"git.sr.ht/~jackmordaunt/go-toast/wintoast"
)

// appName is how Windows lists tokentray's toasts (Settings > Notifications, Action Center).
const appName = "tokentray"

// Notifier shows Windows toast notifications with go-toast, through its PowerShell path: its
// in-process COM path registers a Go-implemented COM class factory that Wine calls back while
// the process exits, which crashes the Go runtime and leaves the process hanging. Go needs
// Windows 10, where toasts exist, so there is no balloon-tip path (a second tray icon).
type Notifier struct {
	mu sync.Mutex // one toast at a time: each one registers the app in HKCU and runs PowerShell
}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify shows title and body. A failure is logged: a notification is never worth a crash.
func (n *Notifier) Notify(title, body string) { n.NotifyImage(title, body, "") }

// NotifyImage is Notify with an image file shown beside the text, such as a cover.
func (n *Notifier) NotifyImage(title, body, imagePath string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := showToast(title, body, imagePath); err != nil {
		fmt.Fprintf(os.Stderr, "tokentray: cannot show the notification %q: %v\n", title, err)
	}
}

func showToast(title, body, imagePath string) error {
	if err := wintoast.SetAppData(wintoast.AppData{AppID: appName}); err != nil {
		return fmt.Errorf("registering tokentray for notifications: %w", err)
	}
	return wintoast.Push(toastXML(title, body, imagePath), wintoast.PreferPowershell)
}

// Close does nothing: each toast is a call of its own.
func (*Notifier) Close() {}
