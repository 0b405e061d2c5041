// Package assets embeds tokentray's icons as PNG bytes. The PNGs are drawn by gen/main.go; edit
// that and run `go generate ./assets` rather than editing the images. It imports no UI toolkit:
// the tray process uses the bytes as they are, the window wraps them in Fyne resources.
package assets

//go:generate go run gen/main.go

import _ "embed"

// AppID is the app's reverse-DNS ID, as in FyneApp.toml: the window's Fyne app, the .desktop
// entry and notifications all carry it.
const AppID = "io.github.tokentray"

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
func AppIcon() []byte { return iconPNG }

var trayIcons = map[bool]map[TrayState][]byte{
	false: {OK: trayOK, NeedsLogin: trayNeedsLogin, Offline: trayOffline},
	true:  {OK: trayDemoOK, NeedsLogin: trayDemoNeedsLogin, Offline: trayDemoOffline},
}

// TrayIcon returns the 64×64 PNG for state; demo selects the purple variant so a demo session
// is never mistaken for a real one. An unknown state gets the Offline icon: it signals that
// something is wrong instead of pretending all is well.
func TrayIcon(state TrayState, demo bool) []byte {
	if png, ok := trayIcons[demo][state]; ok {
		return png
	}
	return trayIcons[demo][Offline]
}
