package app

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestStatusTextIsReadable checks the colours of success, warning and error messages against
// the background they are drawn on (window and cards alike), and the label of the danger button,
// in both variants: WCAG AA asks for a contrast of at least 4.5.
func TestStatusTextIsReadable(t *testing.T) {
	th := newReadableTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, status := range []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError} {
			fg := th.Color(status, v)
			if c := contrast(fg, th.Color(theme.ColorNameBackground, v)); c < 4.5 {
				t.Errorf("variant %d: %s text has contrast %.2f, want ≥ 4.5", v, status, c)
			}
		}
		if c := contrast(th.Color(theme.ColorNameForegroundOnError, v), th.Color(theme.ColorNameError, v)); c < 3 {
			t.Errorf("variant %d: the Log out button's label has contrast %.2f, want ≥ 3 (bold text)", v, c)
		}
	}
	// Everything else is Fyne's.
	if got, want := th.Color(theme.ColorNamePrimary, theme.VariantLight), theme.DefaultTheme().Color(theme.ColorNamePrimary, theme.VariantLight); got != want {
		t.Errorf("primary colour changed: %v, want Fyne's %v", got, want)
	}
}

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	channel := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(r) + 0.7152*channel(g) + 0.0722*channel(b)
}

func TestStartUsesTheReadableTheme(t *testing.T) {
	a := test.NewTempApp(t)
	if w := Start(t.Context(), a, newFakeBackend(freshState())); !w.win.Content().Visible() {
		t.Fatal("Start did not show the window")
	}
	if got, want := a.Settings().Theme().Color(theme.ColorNameSuccess, theme.VariantLight), lightStatusColors[theme.ColorNameSuccess]; got != want {
		t.Errorf("success colour on the light variant %v, want %v", got, want)
	}
}
