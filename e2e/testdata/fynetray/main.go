//go:build e2e

// Command fynetray is the smallest Fyne tray app a tray tool could be: a window created but
// hidden, a three-item tray menu and a ticker once a minute. `make footprint` measures it beside
// tokentray's tray, as the floor of any single-process Fyne tray.
package main

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"tokentray/assets"
)

func main() {
	a := app.NewWithID("dev.tokentray.e2e.fynetray")
	icon := fyne.NewStaticResource("icon.png", assets.AppIcon())
	a.SetIcon(icon)
	w := a.NewWindow("fynetray")
	w.SetContent(widget.NewLabel("fynetray"))
	w.SetCloseIntercept(w.Hide)
	desk := a.(desktop.App)
	menu := func() *fyne.Menu {
		return fyne.NewMenu("fynetray",
			fyne.NewMenuItem("Now "+time.Now().Format("15:04"), nil),
			fyne.NewMenuItem("Copy", func() { a.Clipboard().SetContent("token") }),
			fyne.NewMenuItem("Settings…", w.Show))
	}
	desk.SetSystemTrayMenu(menu())
	desk.SetSystemTrayIcon(icon)
	go func() {
		for range time.Tick(time.Minute) {
			fyne.Do(func() { desk.SetSystemTrayMenu(menu()) })
		}
	}()
	a.Run()
}
