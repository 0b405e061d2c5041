//go:build e2e || faults

package harness

import (
	"fmt"
	"image"
	"image/png"
	"os"
)

// LumaVariance measures how far a screenshot is from one flat colour (Xvfb's empty root
// window is black): near 0 means nothing was drawn. It samples every 2nd pixel of every 2nd
// row and returns the image size too.
func LumaVariance(path string) (float64, image.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, image.Point{}, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, image.Point{}, fmt.Errorf("decode %s: %v", path, err)
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
