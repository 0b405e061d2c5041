package fakespotify

import (
	"hash/fnv"
	stdimage "image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
)

// handleCover serves an album cover: a square PNG of the asked size (?size=, 64 to 640) in a
// colour of its own per track, so a test can tell covers apart.
func (s *Server) handleCover(w http.ResponseWriter, r *http.Request) {
	size, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil || size < 64 || size > 640 {
		http.Error(w, "size: 64 to 640", http.StatusBadRequest)
		return
	}
	h := fnv.New32a()
	h.Write([]byte(r.PathValue("id")))
	sum := h.Sum32()
	fill := color.RGBA{R: uint8(sum), G: uint8(sum >> 8), B: uint8(sum >> 16), A: 255}
	img := stdimage.NewRGBA(stdimage.Rect(0, 0, size, size))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = fill.R, fill.G, fill.B, fill.A
	}
	w.Header().Set("Content-Type", "image/png")
	png.Encode(w, img) //nolint:errcheck // the client went away
}
