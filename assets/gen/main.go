//go:build ignore

// Command gen draws tokentray's icons: run `go generate ./assets` to rewrite the PNGs next to
// assets.go. Shapes are signed-distance functions sampled 4×4 per pixel, so the edges are
// anti-aliased without any drawing library and the output is byte-for-byte reproducible.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	dark   = color.NRGBA{0x19, 0x14, 0x14, 0xff} // tile background
	green  = color.NRGBA{0x1d, 0xb9, 0x54, 0xff} // normal glyph
	purple = color.NRGBA{0xa7, 0x7b, 0xf3, 0xff} // demo glyph: nothing real is happening
	amber  = color.NRGBA{0xf5, 0xa6, 0x23, 0xff} // needs login
	red    = color.NRGBA{0xe5, 0x3e, 0x3e, 0xff} // error / offline
)

// sdf returns the signed distance from (x, y) to a shape in unit coordinates: negative inside.
type sdf func(x, y float64) float64

type layer struct {
	shape sdf
	color color.NRGBA
}

func roundedRect(x0, y0, x1, y1, r float64) sdf {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	return func(x, y float64) float64 {
		dx := math.Max(math.Abs(x-cx)-hx, 0)
		dy := math.Max(math.Abs(y-cy)-hy, 0)
		inside := math.Min(math.Max(math.Abs(x-cx)-hx, math.Abs(y-cy)-hy), 0)
		return math.Hypot(dx, dy) + inside - r
	}
}

func circle(cx, cy, r float64) sdf {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

func ring(cx, cy, r, width float64) sdf {
	return func(x, y float64) float64 { return math.Abs(math.Hypot(x-cx, y-cy)-r) - width/2 }
}

// segment is a stroke from (ax, ay) to (bx, by) with round caps.
func segment(ax, ay, bx, by, width float64) sdf {
	return func(x, y float64) float64 {
		px, py, vx, vy := x-ax, y-ay, bx-ax, by-ay
		t := math.Max(0, math.Min(1, (px*vx+py*vy)/(vx*vx+vy*vy)))
		return math.Hypot(px-t*vx, py-t*vy) - width/2
	}
}

// arc is a round-capped stroke along a circle between two angles (radians, y pointing down).
func arc(cx, cy, r, from, to, width float64) sdf {
	ends := [2][2]float64{
		{cx + r*math.Cos(from), cy + r*math.Sin(from)},
		{cx + r*math.Cos(to), cy + r*math.Sin(to)},
	}
	return func(x, y float64) float64 {
		if a := math.Atan2(y-cy, x-cx); a >= from && a <= to {
			return math.Abs(math.Hypot(x-cx, y-cy)-r) - width/2
		}
		d0 := math.Hypot(x-ends[0][0], y-ends[0][1])
		d1 := math.Hypot(x-ends[1][0], y-ends[1][1])
		return math.Min(d0, d1) - width/2
	}
}

func union(shapes ...sdf) sdf {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, s := range shapes {
			d = math.Min(d, s(x, y))
		}
		return d
	}
}

func deg(d float64) float64 { return d * math.Pi / 180 }

// keyWithWaves is the glyph: a key (ring bow, shaft, two teeth) whose bow sends out sound waves.
// stroke scales every line so the small tray icon stays legible.
func keyWithWaves(stroke float64, waves int) sdf {
	const cx, cy = 0.34, 0.62
	shapes := []sdf{
		ring(cx, cy, 0.115, 0.075*stroke),
		segment(cx+0.115, cy, 0.80, cy, 0.075*stroke),
		segment(0.66, cy, 0.66, cy+0.13, 0.07*stroke),
		segment(0.77, cy, 0.77, cy+0.10, 0.07*stroke),
	}
	for i := 0; i < waves; i++ {
		shapes = append(shapes, arc(cx, cy, 0.25+0.12*float64(i), deg(-78), deg(-22), 0.065*stroke))
	}
	return union(shapes...)
}

func tile() sdf { return roundedRect(0.04, 0.04, 0.96, 0.96, 0.22) }

// badge draws a status disc in the bottom-right corner, cut out from the glyph by a dark rim.
func badge(fill color.NRGBA, mark sdf) []layer {
	const bx, by = 0.76, 0.76
	return []layer{
		{circle(bx, by, 0.25), dark},
		{circle(bx, by, 0.20), fill},
		{mark, dark},
	}
}

func exclamation() sdf {
	return union(segment(0.76, 0.66, 0.76, 0.77, 0.07), circle(0.76, 0.855, 0.038))
}

func cross() sdf {
	const c, h = 0.76, 0.075
	return union(segment(c-h, c-h, c+h, c+h, 0.06), segment(c-h, c+h, c+h, c-h, 0.06))
}

func render(size int, layers []layer) *image.NRGBA {
	const ss = 4 // samples per axis
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					var cr, cg, cb, ca float64 // premultiplied, composited bottom to top
					for _, l := range layers {
						if l.shape(x, y) > 0 {
							continue
						}
						cr, cg, cb, ca = float64(l.color.R), float64(l.color.G), float64(l.color.B), 1
					}
					r, g, b, a = r+cr*ca, g+cg*ca, b+cb*ca, a+ca
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / ss / ss * 255)),
			})
		}
	}
	return img
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	write("icon.png", render(256, []layer{{tile(), dark}, {keyWithWaves(1, 3), green}}))

	for _, demo := range []bool{false, true} {
		glyph, prefix := green, "tray-"
		if demo {
			glyph, prefix = purple, "tray-demo-"
		}
		// Two waves and thicker strokes: at 22–24 px on a panel, three thin arcs blur together.
		base := []layer{{tile(), dark}, {keyWithWaves(1.45, 2), glyph}}
		write(prefix+"ok.png", render(64, base))
		write(prefix+"needs-login.png", render(64, append(base[:2:2], badge(amber, exclamation())...)))
		write(prefix+"offline.png", render(64, append(base[:2:2], badge(red, cross())...)))
	}
}
