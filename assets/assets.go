// Package assets embeds tokentray's icons. The PNGs are drawn by gen/main.go; edit that and run
// `go generate ./assets` rather than editing the images.
package assets

//go:generate go run gen/main.go

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// TrayState is what the tray icon tells at a glance.
type TrayState int

const (
	OK         TrayState = iota // logged in with a usable token
	NeedsLogin                  // amber badge: the user has to log in (again)
	Offline                     // red badge: storage, network or Spotify failed
)

var (
	//go:embed icon.png
	iconPNG []byte

	//go:embed tray-ok.png
	trayOK []byte
	//go:embed tray-needs-login.png
	trayNeedsLogin []byte
	//go:embed tray-offline.png
	trayOffline []byte
	//go:embed tray-demo-ok.png
	trayDemoOK []byte
	//go:embed tray-demo-needs-login.png
	trayDemoNeedsLogin []byte
	//go:embed tray-demo-offline.png
	trayDemoOffline []byte
)

// AppIcon is the 256×256 application icon (window, launcher, FyneApp.toml).
var AppIcon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

var trayIcons = map[bool]map[TrayState]fyne.Resource{
	false: {
		OK:         fyne.NewStaticResource("tray-ok.png", trayOK),
		NeedsLogin: fyne.NewStaticResource("tray-needs-login.png", trayNeedsLogin),
		Offline:    fyne.NewStaticResource("tray-offline.png", trayOffline),
	},
	true: {
		OK:         fyne.NewStaticResource("tray-demo-ok.png", trayDemoOK),
		NeedsLogin: fyne.NewStaticResource("tray-demo-needs-login.png", trayDemoNeedsLogin),
		Offline:    fyne.NewStaticResource("tray-demo-offline.png", trayDemoOffline),
	},
}

// TrayIcon returns the 64×64 PNG for state; demo selects the purple variant so a demo session
// is never mistaken for a real one. An unknown state gets the Offline icon: it signals that
// something is wrong instead of pretending all is well.
func TrayIcon(state TrayState, demo bool) fyne.Resource {
	if r, ok := trayIcons[demo][state]; ok {
		return r
	}
	return trayIcons[demo][Offline]
}
