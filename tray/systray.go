package tray

import (
	"errors"
	"strings"
	"sync"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"tokentray/internal/untrusted"
)

// SystrayPlatform is the Platform on fyne.io/systray; use it once RunSystray's onReady ran.
func SystrayPlatform() Platform { return &systrayPlatform{} }

// systrayPlatform is the Platform on fyne.io/systray.
type systrayPlatform struct {
	mu     sync.Mutex
	closed bool // systray's D-Bus connection is gone: quitting
}

func (p *systrayPlatform) SetMenu(items []Item) {
	p.do(func() {
		systray.ResetMenu()
		for _, it := range items {
			if it.Separator {
				systray.AddSeparator()
				continue
			}
			mi := systray.AddMenuItem(menuLabel(it.Label), "")
			if !it.Enabled() {
				// systray still delivers clicks on disabled items; without a reader they are
				// dropped, since it sends them without blocking.
				mi.Disable()
				continue
			}
			action := it.Action
			go func() {
				// ClickedCh is closed when the next SetMenu removes the item.
				for range mi.ClickedCh {
					action()
				}
			}()
		}
	})
}

func (p *systrayPlatform) SetIcon(png []byte) { p.do(func() { systray.SetIcon(platformIcon(png)) }) }

func (p *systrayPlatform) SetTooltip(text string) {
	p.do(func() { systray.SetTooltip(tooltipText(text)) })
}

// menuLabel is label as the platform's menu shows it: its mnemonic marker doubled, so that a
// title such as "Simon & Garfunkel_x" shows as written rather than underlining a letter.
func menuLabel(label string) string { return escapeMnemonic(label, mnemonicMarker) }

func escapeMnemonic(label, marker string) string {
	if marker == "" {
		return label
	}
	return strings.ReplaceAll(label, marker, marker+marker)
}

// tooltipText is text cut to what the platform shows of a tooltip.
func tooltipText(text string) string { return untrusted.Cut(text, maxTooltip) }

func (p *systrayPlatform) SetTitle(text string) { p.do(func() { systray.SetTitle(text) }) }

// do runs a systray call unless the tray is gone. On quit systray closes its D-Bus connection,
// and a later call panics (SetMust) instead of returning an error: that ends the tray quietly.
// Any other panic is not ours to hide.
func (p *systrayPlatform) do(call func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, dbus.ErrClosed) {
				p.closed = true
				return
			}
			panic(r)
		}
	}()
	call()
}
