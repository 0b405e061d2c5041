package tray

import (
	"sync"

	"fyne.io/systray"
)

var (
	quitSystray = make(chan struct{})
	quitOnce    sync.Once
)

// RunSystray shows the tray with fyne.io/systray and blocks until QuitSystray; call it from
// main's goroutine. onReady runs once the item is on the bus; onExit runs before RunSystray
// returns.
//
// On Linux systray.Run calls onReady before it exports the item's properties, so a tooltip set
// in onReady can be lost in between. With the external-loop entry points the export has
// finished when start returns.
func RunSystray(onReady, onExit func()) {
	start, end := systray.RunWithExternalLoop(nil, onExit)
	start()
	// Linux tray hosts show the title as the item's name; some crash without one.
	systray.SetTitle("tokentray")
	go onReady()
	<-quitSystray
	end()
}

// QuitSystray makes RunSystray return.
func QuitSystray() { quitOnce.Do(func() { close(quitSystray) }) }
