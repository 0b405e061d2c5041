// Package clip copies tokens to the clipboard and clears them again after a while, so an
// access token does not linger where any later paste can leak it. The window and the tray share
// one Copier so a copy from either replaces the other's pending clear.
package clip

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// AfterFunc schedules f after d and returns a func that cancels it; time.AfterFunc fits after
// wrapping, tests pass a fake they fire by hand.
type AfterFunc func(d time.Duration, f func()) (stop func())

func realAfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// Copier puts text on a clipboard and schedules its removal.
type Copier struct {
	clipboard fyne.Clipboard
	after     AfterFunc

	mu         sync.Mutex
	clearAfter time.Duration
	cancel     func()
}

// New returns a Copier for clipboard that clears copies after clearAfter (0 = never).
// after nil means real timers.
func New(clipboard fyne.Clipboard, clearAfter time.Duration, after AfterFunc) *Copier {
	if after == nil {
		after = realAfterFunc
	}
	return &Copier{clipboard: clipboard, after: after, clearAfter: clearAfter}
}

// SetClearAfter changes the delay for later copies (0 = never); a pending clear keeps its time.
func (c *Copier) SetClearAfter(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearAfter = d
}

// Copy sets the clipboard to text; call it on the Fyne goroutine (from a callback, or inside
// fyne.Do). The clear runs through fyne.Do because the clipboard belongs to the UI thread, and
// only empties the clipboard if it still holds text: whatever the user copied since stays.
func (c *Copier) Copy(text string) {
	c.clipboard.SetContent(text)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		// The previous clear would empty this copy early if the same text was copied twice.
		c.cancel()
		c.cancel = nil
	}
	if c.clearAfter <= 0 {
		return
	}
	c.cancel = c.after(c.clearAfter, func() {
		fyne.Do(func() {
			if c.clipboard.Content() == text {
				c.clipboard.SetContent("")
			}
		})
	})
}
