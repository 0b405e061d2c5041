//go:build ignore

// Renders docs/tray.png: the tray menu as Fyne draws it, for a logged-in demo session playing a
// track. Run from the repository root: go run docs/gen/main.go
package main

import (
	"image/png"
	"log"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
	"tokentray/tray"
)

func main() {
	test.NewApp()
	now := time.Now()
	playing := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Paper Lanterns Over Tide",
		Artists: []string{"Marrow & Finch"}, URL: "https://open.spotify.com/track/4kQm2Tn8XvLpR7cJw1ZbYd"}
	settings := local.DefaultSettings()
	settings.ClientID = "0f7c3a9e5b2d4c6e8a1b3d5f7e9c2a4b"
	st := tray.State{State: session.State{Settings: settings, HasSettings: true, HasSecret: true, Authorization: session.LoggedIn,
		AccessExpiry: now.Add(52*time.Minute + 30*time.Second),
		NowPlaying:   nowplaying.State{Playing: playing, Label: nowplaying.Label(playing)}}}
	menu := widget.NewMenu(tray.Menu(st, now, tray.Actions{}))
	w := test.NewWindow(menu)
	w.SetPadded(false)
	w.Resize(menu.MinSize().Add(fyne.NewSize(2, 2)))
	out, err := os.Create("docs/tray.png")
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, w.Canvas().Capture()); err != nil {
		log.Fatal(err)
	}
}
