//go:build !linux

package tray

import "fyne.io/systray"

// RunSystray shows the tray with fyne.io/systray and blocks until QuitSystray; call it from
// main's goroutine (macOS and Windows need the tray on the main thread). onReady runs once the
// tray exists, on its own goroutine; onExit runs before RunSystray returns.
func RunSystray(onReady, onExit func()) { systray.Run(onReady, onExit) }

// QuitSystray makes RunSystray return.
func QuitSystray() { systray.Quit() }
