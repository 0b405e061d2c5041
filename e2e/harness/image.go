//go:build e2e || faults

package harness

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
)

// LumaVariance measures how far a screenshot is from one flat colour (Xvfb's empty root
// window is black): near 0 means nothing was drawn. It samples every 2nd pixel of every 2nd
// row and returns the image size too.
func LumaVariance(path string) (float64, image.Point, error) {
	img, err := LoadPNG(path)
	if err != nil {
		return 0, image.Point{}, err
	}
	var sum, sumSq, n float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			sum, sumSq, n = sum+l, sumSq+l*l, n+1
		}
	}
	mean := sum / n
	return sumSq/n - mean*mean, b.Size(), nil
}

// Over is icon composited over a flat background, as a panel draws an icon that it does not
// scale: each channel is c*a + bg*(1-a), rounded.
func Over(icon image.Image, bg color.RGBA) *image.RGBA {
	b := icon.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(icon.At(x, y)).(color.NRGBA)
			mix := func(v, under uint8) uint8 {
				return uint8((int(v)*int(c.A) + int(under)*(255-int(c.A)) + 127) / 255)
			}
			out.SetRGBA(x-b.Min.X, y-b.Min.Y, color.RGBA{mix(c.R, bg.R), mix(c.G, bg.G), mix(c.B, bg.B), 0xff})
		}
	}
	return out
}

// BestMatch finds where want is drawn in shot, trying each top-left corner within slack pixels
// of near, and returns the corner with the smallest largest channel difference, that
// difference and the pixel (in want) where it is.
func BestMatch(shot image.Image, want *image.RGBA, near image.Point, slack int) (at image.Point, maxDiff int, worst image.Point) {
	maxDiff = 256
	for dy := -slack; dy <= slack; dy++ {
		for dx := -slack; dx <= slack; dx++ {
			corner := near.Add(image.Pt(dx, dy))
			d, w := diffAt(shot, want, corner, maxDiff)
			if d < maxDiff {
				at, maxDiff, worst = corner, d, w
			}
		}
	}
	return at, maxDiff, worst
}

// diffAt is the largest channel difference of want placed at corner in shot (giving up once it
// reaches limit) and where it is.
func diffAt(shot image.Image, want *image.RGBA, corner image.Point, limit int) (int, image.Point) {
	most, worst := 0, image.Point{}
	for y := 0; y < want.Rect.Dy(); y++ {
		for x := 0; x < want.Rect.Dx(); x++ {
			p := image.Pt(x, y).Add(corner)
			if !p.In(shot.Bounds()) {
				return 256, image.Pt(x, y)
			}
			r, g, b, _ := shot.At(p.X, p.Y).RGBA()
			w := want.RGBAAt(x, y)
			for _, d := range []int{int(r>>8) - int(w.R), int(g>>8) - int(w.G), int(b>>8) - int(w.B)} {
				if d < 0 {
					d = -d
				}
				if d > most {
					most, worst = d, image.Pt(x, y)
				}
			}
			if most >= limit {
				return most, worst
			}
		}
	}
	return most, worst
}

// CropPNG writes the part r of the PNG src to dst.
func CropPNG(src, dst string, r image.Rectangle) error {
	img, err := LoadPNG(src)
	if err != nil {
		return err
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return fmt.Errorf("%s: cannot crop a %T", src, img)
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if err := png.Encode(f, sub.SubImage(r.Intersect(img.Bounds()))); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
