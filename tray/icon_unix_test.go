//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"tokentray/assets"
)

// systrayReads is what fyne.io/systray (argbForImage) puts into the IconPixmap for a pixel of
// the decoded icon: the low byte of each channel of RGBA().
func systrayReads(c color.Color) color.NRGBA {
	r, g, b, a := c.RGBA()
	return color.NRGBA{R: byte(r), G: byte(g), B: byte(b), A: byte(a)}
}

// Every channel value at every alpha: what systray reads from the re-encoded icon is the
// original pixel. (The e2e journey TestPanelIcon checks the real IconPixmap on the bus.)
func TestPlatformIconSurvivesSystraysConversion(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for a := 0; a < 256; a++ {
		for v := 0; v < 256; v++ {
			src.SetNRGBA(v, a, color.NRGBA{R: uint8(v), G: uint8(255 - v), B: uint8(v ^ 0x5a), A: uint8(a)})
		}
	}
	var in bytes.Buffer
	if err := png.Encode(&in, src); err != nil {
		t.Fatal(err)
	}
	decoded, _, err := image.Decode(bytes.NewReader(platformIcon(in.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for a := 0; a < 256; a++ {
		for v := 0; v < 256; v++ {
			want := color.NRGBA{R: uint8(v), G: uint8(255 - v), B: uint8(v ^ 0x5a), A: uint8(a)}
			if a == 0 {
				want = color.NRGBA{} // fully transparent: no colour
			}
			if got := systrayReads(decoded.At(v, a)); got != want {
				if bad++; bad <= 5 {
					t.Errorf("pixel %v: systray reads %v", want, got)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of 65536 pixels wrong", bad)
	}
}

func TestPlatformIconPassesOnWhatIsNotAPNG(t *testing.T) {
	ico := []byte{0, 0, 1, 0, 1, 0}
	if got := platformIcon(ico); !bytes.Equal(got, ico) {
		t.Errorf("got %v", got)
	}
}

// BenchmarkPlatformIcon re-encodes a tray icon, as every icon change does.
func BenchmarkPlatformIcon(b *testing.B) {
	icon := assets.TrayIcon(assets.NeedsLogin, false)
	for b.Loop() {
		platformIcon(icon)
	}
}
