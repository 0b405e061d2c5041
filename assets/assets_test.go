package assets

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
)

func decodeSize(t *testing.T, r fyne.Resource) (int, int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(r.Content()))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", r.Name(), err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy()
}

func TestAppIconIs256PNG(t *testing.T) {
	if w, h := decodeSize(t, AppIcon); w != 256 || h != 256 {
		t.Fatalf("AppIcon is %d×%d, want 256×256", w, h)
	}
}

func TestTrayIconsAreDistinct64PNGs(t *testing.T) {
	seen := map[string]string{}
	for _, demo := range []bool{false, true} {
		for _, st := range []TrayState{OK, NeedsLogin, Offline} {
			r := TrayIcon(st, demo)
			if w, h := decodeSize(t, r); w != 64 || h != 64 {
				t.Errorf("%s is %d×%d, want 64×64", r.Name(), w, h)
			}
			if other, dup := seen[string(r.Content())]; dup {
				t.Errorf("%s has the same pixels as %s", r.Name(), other)
			}
			seen[string(r.Content())] = r.Name()
		}
	}
}

func TestUnknownTrayStateShowsOffline(t *testing.T) {
	if got := TrayIcon(TrayState(42), true); got != TrayIcon(Offline, true) {
		t.Fatalf("unknown state gave %s, want the offline icon", got.Name())
	}
}
