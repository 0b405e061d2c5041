//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
)

// The tray icons as drawn (assets/gen): what the panel must show.
const (
	needsLoginPNG = "../assets/tray-needs-login.png"
	okPNG         = "../assets/tray-ok.png"
)

// renderTolerance is how far a pixel the panel drew may be from the icon composited over the
// panel's background: cairo rounds twice (premultiplying, then blending), a channel or two.
// The conversion defect this guards against put semi-transparent pixels off by up to 217.
const renderTolerance = 3

// Journey: in a real xfce4-panel, the icon appears, is drawn with the colours of its PNG (no
// pink rim around the edge), reaches the panel over D-Bus exactly, and keeps its Id across a
// restart, so the panel remembers one item, not one per start. The panel draws icons up to 64
// px as they are, so the screen can be compared with the PNG pixel for pixel.
func TestPanelIcon(t *testing.T) {
	j := panelJourney(t, harness.PanelOptions{Size: 80, IconSize: 64})
	started := time.Now()
	j.start()
	registered := time.Since(started)
	drawn, bg, shot := j.panelIcon()
	t.Logf("xfce4-panel: item registered %v after start, icon drawn by %v (screenshots polled)",
		registered.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))

	png, err := harness.LoadPNG(needsLoginPNG)
	j.must("read "+needsLoginPNG, err)
	img, err := harness.LoadPNG(shot)
	j.must("read the screenshot", err)
	at, diff, worst := harness.BestMatch(img, harness.Over(png, bg), drawn.Min, 4)
	t.Logf("icon drawn at %v (drawn pixels %v, background %v): largest channel difference %d, at icon pixel %v",
		at, drawn, bg, diff, worst)
	if diff > renderTolerance {
		j.fail("compare the drawn icon with "+needsLoginPNG, fmt.Errorf(
			"at best a channel differs by %d (at icon pixel %v of the match at %v), more than %d; screenshot %s",
			diff, worst, at, renderTolerance, shot))
	}
	j.checkIconPixmap(needsLoginPNG)

	j.checkID()
	j.stop()
	j.start()
	j.checkID()
	known, err := j.sess.Panel().KnownItems()
	j.must("read the panel's known items", err)
	if !slices.Equal(known, []string{"tokentray"}) {
		j.fail("check the panel remembers one item", fmt.Errorf("xfce4-panel knows the items %q after two starts, want just \"tokentray\"", known))
	}
}

// Journey: in a real xfce4-panel, a click on the icon opens the menu; Log in… chosen in the
// rendered menu logs in through the browser; Copy access token chosen in it puts a working token
// on the clipboard. The menu is worked with the keyboard, so nothing depends on where a font puts
// an entry.
func TestPanelMenuLoginAndCopy(t *testing.T) {
	j := panelJourney(t, harness.PanelOptions{Size: 32, IconSize: 22})
	j.saveSettings(nil)
	j.storeSecret()
	j.start()
	drawn, _, _ := j.panelIcon()
	icon := image.Pt((drawn.Min.X+drawn.Max.X)/2, (drawn.Min.Y+drawn.Max.Y)/2)
	panel := j.sess.Panel()

	ctx := within(t, 30*time.Second)
	_, took, err := panel.OpenMenu(ctx, icon)
	j.must("click the tray icon", err)
	t.Logf("xfce4-panel: menu mapped %v after the click", took.Round(time.Millisecond))
	j.must("choose Log in… in the menu", panel.Choose(ctx, j.item, loginItem))
	j.agreeInBrowser(j.openedURL(), nil)
	j.checkIconPixmap(okPNG)

	menu, took, err := panel.OpenMenu(ctx, icon)
	j.must("click the tray icon again", err)
	t.Logf("xfce4-panel: menu mapped %v after the click", took.Round(time.Millisecond))
	// The docs' picture: the menu above the right end of the panel.
	shot := j.sess.Display.Screenshot(t, "menu")
	crop := strings.TrimSuffix(shot, ".png") + "-crop.png"
	j.must("crop the screenshot", harness.CropPNG(shot, crop, image.Rect(menu.Bounds.Min.X-40, menu.Bounds.Min.Y-20, 1280, 800)))
	t.Logf("menu screenshot: %s", crop)

	j.must("choose Copy access token in the menu", panel.Choose(ctx, j.item, harness.LabelPrefix("Copy access token (")))
	token, err := j.sess.Display.WaitForClipboard(within(t, 10*time.Second), func(s string) bool { return s != "" })
	j.must("read the token with xclip", err)
	if kind, _, ok := j.fake.AccessTokenValid(token); !ok || kind != fakespotify.KindUser {
		j.fail("check the copied access token", fmt.Errorf("the fake says kind %q, valid %v; want a user token", kind, ok))
	}
}

// panelIcon waits until the panel draws something, with the pointer away from it (a hovered
// button is highlighted), and returns where, on which background, and the screenshot.
func (j *journey) panelIcon() (drawn image.Rectangle, bg color.RGBA, shot string) {
	j.t.Helper()
	panel := j.sess.Panel()
	j.must("move the pointer away", j.sess.Display.Xdotool(within(j.t, 5*time.Second), "mousemove", "640", "300"))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		shot = j.sess.Display.Screenshot(j.t, "panel")
		img, err := harness.LoadPNG(shot)
		j.must("read the screenshot", err)
		if drawn, bg = panel.Drawn(img); !drawn.Empty() {
			return drawn, bg, shot
		}
		if time.Now().After(deadline) {
			j.fail("wait for the icon in the panel", errors.New("nothing drawn on the panel within 20 s"))
		}
	}
}

// checkIconPixmap waits up to 5 s (the icon follows the menu) until the IconPixmap on the bus
// is the PNG file: every channel within 1; the colour of a fully transparent pixel does not count.
func (j *journey) checkIconPixmap(pngPath string) {
	j.t.Helper()
	want, err := harness.LoadPNG(pngPath)
	j.must("read "+pngPath, err)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, err := j.item.Icon()
		j.must("read IconPixmap", err)
		most, bad, first := iconDiff(got, want)
		if bad == 0 {
			j.t.Logf("IconPixmap vs %s: largest channel difference %d", pngPath, most)
			return
		}
		if time.Now().After(deadline) {
			j.fail("compare IconPixmap with "+pngPath, fmt.Errorf("%d pixels differ by more than 1 (largest %d); first: %s", bad, most, first))
		}
	}
}

// iconDiff compares an icon with its PNG: the largest channel difference, how many pixels differ
// by more than 1, and the first of them.
func iconDiff(got *image.NRGBA, want image.Image) (most, bad int, first string) {
	if got.Bounds() != want.Bounds() {
		return 255, got.Bounds().Dx() * got.Bounds().Dy(), fmt.Sprintf("IconPixmap is %v, the PNG %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < got.Rect.Dy(); y++ {
		for x := 0; x < got.Rect.Dx(); x++ {
			g, w := got.NRGBAAt(x, y), color.NRGBAModel.Convert(want.At(x, y)).(color.NRGBA)
			d := absDiff(g.A, w.A)
			if w.A > 0 {
				d = max(d, absDiff(g.R, w.R), absDiff(g.G, w.G), absDiff(g.B, w.B))
			}
			most = max(most, d)
			if d > 1 {
				if bad++; first == "" {
					first = fmt.Sprintf("pixel (%d,%d) is %v, the PNG has %v", x, y, g, w)
				}
			}
		}
	}
	return most, bad, first
}

// checkID requires the item's Id to be the app's name, the same at every start.
func (j *journey) checkID() {
	j.t.Helper()
	v, err := j.item.Prop("Id")
	j.must("read the item's Id", err)
	if id, _ := v.Value().(string); id != "tokentray" {
		j.fail("check the item's Id", fmt.Errorf("Id is %q, want \"tokentray\" (pid %d)", id, j.item.PID))
	}
}

func absDiff(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
