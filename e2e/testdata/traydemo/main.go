//go:build e2e

// Command traydemo is the smallest Fyne tray app that exercises what the e2e harness
// drives: menu clicks, a disabled item, a submenu, the clipboard, the tooltip, a
// notification and opening a URL through TOKENTRAY_BROWSER.
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"os/exec"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"fyne.io/systray"
)

func main() {
	a := app.NewWithID("dev.tokentray.e2e.traydemo")
	icon := fyne.NewStaticResource("traydemo.png", iconPNG())
	a.SetIcon(icon)

	w := a.NewWindow("traydemo")
	swatch := canvas.NewRectangle(color.NRGBA{R: 0x1d, G: 0xb9, B: 0x54, A: 0xff})
	swatch.SetMinSize(fyne.NewSize(200, 100))
	w.SetContent(container.NewVBox(widget.NewLabel("traydemo window"), swatch))
	w.Resize(fyne.NewSize(400, 300))
	w.Show()

	desk, ok := a.(desktop.App)
	if !ok {
		log.Fatal("traydemo: this driver has no system tray")
	}
	signedOut := fyne.NewMenuItem("Signed out", func() { log.Print("traydemo: disabled item was clicked") })
	signedOut.Disabled = true
	more := fyne.NewMenuItem("More", nil)
	more.ChildMenu = fyne.NewMenu("", fyne.NewMenuItem("Nested item", nil))
	desk.SetSystemTrayMenu(fyne.NewMenu("traydemo",
		fyne.NewMenuItem("Copy hello", func() {
			a.Clipboard().SetContent("hello")
			systray.SetTooltip("traydemo: copied")
		}),
		signedOut,
		fyne.NewMenuItem("Notify", func() {
			a.SendNotification(fyne.NewNotification("traydemo", "hello from traydemo"))
		}),
		fyne.NewMenuItem("Open page", func() {
			if err := exec.Command(os.Getenv("TOKENTRAY_BROWSER"), os.Getenv("TRAYDEMO_URL")).Start(); err != nil {
				log.Printf("traydemo: open page: %v", err)
			}
		}),
		more,
	))
	desk.SetSystemTrayIcon(icon)
	// Stored by systray until its D-Bus objects exist, so it may be set this early.
	systray.SetTooltip("traydemo: idle")
	a.Run()
}

// iconPNG draws a green disc: the tray needs a PNG (Fyne hands an SVG over as-is).
func iconPNG() []byte {
	const size = 64
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			if dx, dy := x-size/2, y-size/2; dx*dx+dy*dy < (size/2-2)*(size/2-2) {
				img.Set(x, y, color.NRGBA{R: 0x1d, G: 0xb9, B: 0x54, A: 0xff})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}
