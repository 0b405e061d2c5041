package tray

import (
	"sync"
	"time"
)

// selection is the platform clipboard's text: X11's CLIPBOARD selection on Linux.
type selection interface {
	Write(text string) error
	Read() (string, error)
}

// Clipboard puts copies on the platform clipboard and clears each after a while, so that an
// access token does not linger where any later paste can leak it. It implements
// session.Clipboard.
type Clipboard struct {
	sel selection

	mu     sync.Mutex
	copies int // a clear only runs for the latest copy
	timer  *time.Timer
}

// Copy puts text on the clipboard and, when clearAfter > 0, empties the clipboard after that
// long if it still holds text: whatever the user copied since stays.
func (c *Clipboard) Copy(text string, clearAfter time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sel.Write(text); err != nil {
		return err
	}
	c.copies++
	if c.timer != nil {
		c.timer.Stop()
	}
	if clearAfter <= 0 {
		return nil
	}
	copyNumber := c.copies
	c.timer = time.AfterFunc(clearAfter, func() { c.clear(copyNumber, text) })
	return nil
}

func (c *Clipboard) clear(copyNumber int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.copies != copyNumber {
		return // a later copy replaced this one
	}
	// A clipboard manager may hold the text by now rather than tokentray: compare the content.
	if now, err := c.sel.Read(); err == nil && now == text {
		c.sel.Write("") //nolint:errcheck // nothing more to do if the clipboard is gone
	}
}
