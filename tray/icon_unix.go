//go:build (linux || freebsd || openbsd || netbsd) && !android

package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// platformIcon re-encodes the PNG so that fyne.io/systray's conversion to the
// StatusNotifierItem's IconPixmap yields the PNG's own colours.
//
// The IconPixmap is non-premultiplied ARGB, 8 bits a channel. systray decodes the PNG and
// takes, for every channel, the low byte of what img.At(x, y).RGBA() returns: 16-bit values,
// premultiplied by alpha. That is exact only for opaque pixels (an 8-bit v reads as v*0x101);
// every semi-transparent pixel gets a colour that has nothing to do with the icon (a pink rim in
// xfce4-panel): NRGBA{200, 30, 30, 100} reads as 200*257*100*257/0xffff = 0x4ebc and 0x0bcf,
// that is {0xbc, 0xcf, 0xcf, 100}, a dark red turned light cyan. systray cannot be fixed from here, so it is given pixels whose premultiplied
// 16-bit values have the wanted bytes as their low bytes: a 16-bit PNG, decoded as
// *image.NRGBA64. A non-PNG or broken input is passed on unchanged: systray logs it.
func platformIcon(data []byte) []byte {
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return data
	}
	b := src.Bounds()
	nrgba, ok := src.(*image.NRGBA) // what an RGBA PNG decodes to
	if !ok {
		nrgba = image.NewNRGBA(b)
		draw.Draw(nrgba, b, src, b.Min, draw.Src)
	}
	dst := image.NewNRGBA64(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dst.SetNRGBA64(x, y, lowByteEncoded(nrgba.NRGBAAt(x, y)))
		}
	}
	// systray decodes the bytes at once and keeps them no longer: compression would be wasted.
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&out, dst); err != nil {
		return data
	}
	return out.Bytes()
}

// lowByteEncoded is a 16-bit colour whose RGBA() (c*a/0xffff for each colour channel c, and a)
// has c's R, G, B and A as low bytes.
func lowByteEncoded(c color.NRGBA) color.NRGBA64 {
	switch c.A {
	case 0:
		return color.NRGBA64{}
	case 0xff: // not premultiplied at all: v*0x101 has v as its low byte
		return color.NRGBA64{R: uint16(c.R) * 0x101, G: uint16(c.G) * 0x101, B: uint16(c.B) * 0x101, A: 0xffff}
	}
	// The high byte of alpha is free; at 0xff the premultiplied values c*a/0xffff cover every
	// integer from 0 to a, so each low byte is reachable.
	a := 0xff00 | uint32(c.A)
	channel := func(v uint8) uint16 {
		// The largest target at most a with low byte v, then the smallest c16 reaching it:
		// ceil(t*0xffff/a)*a/0xffff lies in [t, t+a/0xffff), and a < 0xffff, so it floors to t.
		t := 0xff00 | uint32(v)
		if t > a {
			t -= 0x100
		}
		return uint16((t*0xffff + a - 1) / a)
	}
	return color.NRGBA64{R: channel(c.R), G: channel(c.G), B: channel(c.B), A: uint16(a)}
}
