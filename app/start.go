package app

import (
	"context"

	"fyne.io/fyne/v2"

	"tokentray/assets"
)

// appIcon is the app icon as Fyne takes it.
var appIcon = fyne.NewStaticResource("icon.png", assets.AppIcon())

// Start builds the window for b, shows it and returns it; call it before a.Run(). Closing the
// window quits the app: the window process exists only while the window is open. The
// countdown clock stops when ctx ends.
func Start(ctx context.Context, a fyne.App, b Backend) *Window {
	a.SetIcon(appIcon)
	a.Settings().SetTheme(newReadableTheme())
	w := NewWindow(a, b)
	go w.RunClock(ctx.Done())
	w.win.SetMaster()
	w.Show()
	return w
}
