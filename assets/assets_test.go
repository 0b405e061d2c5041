package assets

import (
	"bytes"
	"fmt"
	"image/png"
	"testing"
)

func decodeSize(t *testing.T, name string, data []byte) (int, int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", name, err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy()
}

func TestAppIconIs256PNG(t *testing.T) {
	if w, h := decodeSize(t, "AppIcon", AppIcon()); w != 256 || h != 256 {
		t.Fatalf("AppIcon is %d×%d, want 256×256", w, h)
	}
}

func TestTrayIconsAreDistinct64PNGs(t *testing.T) {
	seen := map[string]string{}
	for _, demo := range []bool{false, true} {
		for _, st := range []TrayState{OK, NeedsLogin, Offline} {
			name := fmt.Sprintf("TrayIcon(%d, demo %v)", st, demo)
			icon := TrayIcon(st, demo)
			if w, h := decodeSize(t, name, icon); w != 64 || h != 64 {
				t.Errorf("%s is %d×%d, want 64×64", name, w, h)
			}
			if other, dup := seen[string(icon)]; dup {
				t.Errorf("%s has the same pixels as %s", name, other)
			}
			seen[string(icon)] = name
		}
	}
}

func TestUnknownTrayStateShowsOffline(t *testing.T) {
	if !bytes.Equal(TrayIcon(TrayState(42), true), trayDemoOffline) {
		t.Fatal("an unknown state did not give the demo offline icon")
	}
}
