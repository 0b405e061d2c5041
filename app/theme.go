package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// lightStatusColors replace Fyne's status colours on the light variant, where its bright green,
// orange and red are hard to read as text on white (contrast 1.5, 2.2 and 3.7; WCAG asks 4.5).
// The dark variant's already pass.
var lightStatusColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameSuccess: color.NRGBA{R: 0x1b, G: 0x7d, B: 0x2f, A: 0xff},
	theme.ColorNameWarning: color.NRGBA{R: 0xa3, G: 0x52, B: 0x00, A: 0xff},
	theme.ColorNameError:   color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
}

// readableTheme is Fyne's default theme with status messages readable in both variants.
type readableTheme struct{ fyne.Theme }

func newReadableTheme() fyne.Theme { return readableTheme{theme.DefaultTheme()} }

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := lightStatusColors[name]; ok && v == theme.VariantLight {
		return c
	}
	return t.Theme.Color(name, v)
}
