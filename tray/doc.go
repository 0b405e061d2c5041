// Package tray is tokentray's tray process minus its wiring: the menu, icon, tooltip and title
// as pure functions of the session state (Menu, IconState, Tooltip, Title); Tray, which keeps a
// Platform in step with the session; the fyne.io/systray binding; the clipboard; and desktop
// notifications.
//
// Nothing here imports Fyne or any GL stack (a test checks with `go list -deps`): the tray
// idles all day, and a UI toolkit's render loop would cost CPU and memory the whole time. The
// window is a process of its own (package app), started on demand.
package tray
