package tray

import (
	"sync"

	"fyne.io/systray"
)

var (
	quitSystray = make(chan struct{})
	quitOnce    sync.Once
)

// itemID is the StatusNotifierItem's Id, by which a panel remembers the item across restarts.
const itemID = "tokentray"

// RunSystray shows the tray with fyne.io/systray and blocks until QuitSystray; call it from
// main's goroutine. onReady runs once the item is on the bus; onExit runs before RunSystray
// returns.
//
// On Linux systray.Run calls onReady before it exports the item's properties, so a tooltip set
// in onReady can be lost in between. With the external-loop entry points the export has
// finished when start returns.
func RunSystray(onReady, onExit func()) {
	start, end := systray.RunWithExternalLoop(nil, onExit)
	// systray exports the title as it is at start as the item's Id too, else systray_<pid>. A
	// panel keeps the user's choices (hidden, order) by Id, so it has to be the same at every
	// start. (Linux tray hosts also show the title as the item's name; some crash without one.)
	systray.SetTitle(itemID)
	start()
	go onReady()
	<-quitSystray
	end()
}

// QuitSystray makes RunSystray return.
func QuitSystray() { quitOnce.Do(func() { close(quitSystray) }) }
