//go:build e2e || faults

package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// PanelOptions size a real xfce4-panel (4.18) that is the session's tray host: one panel along
// the bottom of the screen (a window opened at the top-left corner never covers it) holding an
// empty expanding separator and the Status Tray plugin, so the tray's icon sits at its right end.
type PanelOptions struct {
	// Size is the panel's height in pixels.
	Size int
	// IconSize is the tray's icon size in pixels. An icon at most this large is drawn as it
	// is; a larger one is scaled down (GDK bilinear).
	IconSize int
}

// Panel is xfce4-panel with xfconfd, its settings daemon (started by hand: the session's bus
// activates nothing).
type Panel struct {
	opts    PanelOptions
	xfconfd *daemon
	panel   *daemon
	s       *Session
}

// panelConfig is the xfce4-panel xfconf channel: the panel and its two plugins. Written before the
// panel starts, it also keeps the panel from asking how to set itself up on a first start.
const panelConfig = `<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=10;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="%d"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
        <value type="int" value="2"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="separator">
      <property name="expand" type="bool" value="true"/>
      <property name="style" type="uint" value="0"/>
    </property>
    <property name="plugin-2" type="string" value="systray">
      <property name="square-icons" type="bool" value="true"/>
      <property name="icon-size" type="int" value="%d"/>
    </property>
  </property>
</channel>
`

// trayPluginProperty is where the Status Tray plugin keeps its settings in xfconf.
const trayPluginProperty = "/plugins/plugin-2"

func (s *Session) startPanel(o PanelOptions) error {
	dir := filepath.Join(s.Home, ".config", "xfce4", "xfconf", "xfce-perchannel-xml")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "xfce4-panel.xml"), fmt.Appendf(nil, panelConfig, o.Size, o.IconSize), 0o600); err != nil {
		return err
	}
	xfconfd, err := filepath.Glob("/usr/lib/*/xfce4/xfconf/xfconfd")
	if err != nil || len(xfconfd) == 0 {
		return errors.New("xfconfd not found under /usr/lib/*/xfce4/xfconf/ (install xfce4-panel, which depends on xfconf)")
	}
	p := &Panel{opts: o, s: s}
	s.panel = p
	// NO_AT_BRIDGE: the session has no accessibility bus; GTK would warn about it at every start.
	env := append(s.Env(), "NO_AT_BRIDGE=1")
	cmd := exec.Command(xfconfd[0])
	cmd.Env = env
	if p.xfconfd, err = startDaemon(cmd); err != nil {
		return err
	}
	if err := s.waitForName("org.xfce.Xfconf", p.xfconfd.stderr); err != nil {
		return err
	}
	// No window manager runs: without --disable-wm-check the panel waits for one.
	cmd = exec.Command("xfce4-panel", "--disable-wm-check")
	cmd.Env = env
	if p.panel, err = startDaemon(cmd); err != nil {
		return err
	}
	// The Status Tray plugin (a process of its own) owns the watcher once it is up.
	return s.waitForName(watcherName, p.panel.stderr)
}

func (s *Session) waitForName(name string, describe func() string) error {
	_, err := poll(context.Background(), name+" on the bus", func(context.Context) (struct{}, bool, error) {
		var owned bool
		err := s.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned)
		return struct{}{}, owned, err
	}, describe)
	return err
}

func (p *Panel) stop() error {
	var errs []error
	for _, d := range []*daemon{p.panel, p.xfconfd} {
		if d != nil {
			errs = append(errs, d.stop())
		}
	}
	return errors.Join(errs...)
}

// Panel is the session's xfce4-panel, nil unless SessionOptions.Panel asked for one.
func (s *Session) Panel() *Panel { return s.panel }

// newestPanelItem is the item the panel's watcher registered last.
func (s *Session) newestPanelItem() (*Item, bool, string) {
	v, err := s.conn.Object(watcherName, watcherPath).GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, false, fmt.Sprintf("xfce4-panel's watcher: %v; panel log:\n%s", err, s.panel.panel.stderr())
	}
	keys, _ := v.Value().([]string)
	if len(keys) == 0 {
		return nil, false, "no item registered with xfce4-panel's StatusNotifierWatcher"
	}
	// A key is the item's bus name, followed by its object path when that is not the default.
	key := keys[len(keys)-1]
	it := &Item{Service: key, Path: defaultItem, conn: s.conn}
	if i := strings.Index(key, "/"); i >= 0 {
		it.Service, it.Path = key[:i], dbus.ObjectPath(key[i:])
	}
	var pid uint32
	if err := s.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, it.Service).Store(&pid); err != nil {
		return nil, false, fmt.Sprintf("item %s: %v", key, err)
	}
	it.PID = int(pid)
	return it, true, strings.Join(keys, "\n")
}

// KnownItems are the Ids of every item the panel has ever shown, as it stores them for the
// user's hide and order choices (xfconf: the tray plugin's known-items).
func (p *Panel) KnownItems() ([]string, error) {
	var v dbus.Variant
	err := p.s.conn.Object("org.xfce.Xfconf", "/org/xfce/Xfconf").Call("org.xfce.Xfconf.GetProperty", 0,
		"xfce4-panel", trayPluginProperty+"/known-items").Store(&v)
	if err != nil {
		return nil, fmt.Errorf("xfconf %s/known-items: %v", trayPluginProperty, err)
	}
	var ids []string
	values, _ := v.Value().([]dbus.Variant)
	for _, id := range values {
		s, _ := id.Value().(string)
		ids = append(ids, s)
	}
	return ids, nil
}

// Strip is the panel's rectangle on the screen (one panel spanning the bottom edge).
func (p *Panel) Strip() image.Rectangle {
	return image.Rect(0, screenHeight-p.opts.Size, screenWidth, screenHeight)
}

// Drawn finds what is drawn on the panel in a screenshot: the bounds of every pixel of the
// panel's strip that differs from its background (its most common colour), and that colour.
// With only the tray on the panel, that is the tray's icons. Keep the pointer off the panel:
// a hovered button is highlighted.
func (p *Panel) Drawn(shot image.Image) (image.Rectangle, color.RGBA) {
	strip := p.Strip().Intersect(shot.Bounds())
	counts := map[color.RGBA]int{}
	for y := strip.Min.Y; y < strip.Max.Y; y++ {
		for x := strip.Min.X; x < strip.Max.X; x++ {
			counts[rgbAt(shot, x, y)]++
		}
	}
	var bg color.RGBA
	for c, n := range counts {
		if n > counts[bg] {
			bg = c
		}
	}
	var drawn image.Rectangle
	for y := strip.Min.Y; y < strip.Max.Y; y++ {
		for x := strip.Min.X; x < strip.Max.X; x++ {
			if rgbAt(shot, x, y) != bg {
				drawn = drawn.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return drawn, bg
}

// The screen Xvfb is started with (StartDisplay).
const screenWidth, screenHeight = 1280, 800

func rgbAt(img image.Image, x, y int) color.RGBA {
	r, g, b, _ := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
}

// LoadPNG decodes a PNG file.
func LoadPNG(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode %s: %v", path, err)
	}
	return img, nil
}

// Window is a mapped X window and where it is on the screen.
type Window struct {
	ID     int
	Bounds image.Rectangle
}

// VisibleWindows lists the mapped windows (xdotool), the root window too.
func (d *Display) VisibleWindows(ctx context.Context) ([]Window, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--name", "", "getwindowgeometry", "--shell", "%@")
	cmd.Env = append(os.Environ(), d.Env()...)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && len(out) == 0 {
		return nil, nil // nothing matched
	}
	if err != nil {
		return nil, fmt.Errorf("xdotool search: %v", err)
	}
	var wins []Window
	var w Window
	var x, y int
	for _, line := range strings.Split(string(out), "\n") {
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(value)
		switch key {
		case "WINDOW":
			w = Window{ID: n}
		case "X":
			x = n
		case "Y":
			y = n
		case "WIDTH":
			w.Bounds = image.Rect(x, y, x+n, y)
		case "HEIGHT":
			w.Bounds.Max.Y = y + n
			wins = append(wins, w)
		}
	}
	return wins, nil
}

// Xdotool runs xdotool with args on this display, as a user's mouse and keyboard.
func (d *Display) Xdotool(ctx context.Context, args ...string) error {
	ctx, cancel := bounded(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), d.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// OpenMenu clicks at (the tray icon) with the left button and waits for the menu: a window
// that was not mapped before the click, at least 40×20. It returns the menu's window and the
// time from the click to the menu's mapping, measured by polling the window list.
func (p *Panel) OpenMenu(ctx context.Context, at image.Point) (Window, time.Duration, error) {
	d := p.s.Display
	before, err := d.VisibleWindows(ctx)
	if err != nil {
		return Window{}, 0, err
	}
	mapped := map[int]bool{}
	for _, w := range before {
		mapped[w.ID] = true
	}
	if err := d.Xdotool(ctx, "mousemove", strconv.Itoa(at.X), strconv.Itoa(at.Y), "click", "1"); err != nil {
		return Window{}, 0, err
	}
	clicked := time.Now()
	var last []Window
	menu, err := poll(ctx, "the tray menu to open", func(ctx context.Context) (Window, bool, error) {
		wins, err := d.VisibleWindows(ctx)
		last = wins
		for _, w := range wins {
			if !mapped[w.ID] && w.Bounds.Dx() >= 40 && w.Bounds.Dy() >= 20 {
				return w, true, nil
			}
		}
		return Window{}, false, err
	}, func() string { return fmt.Sprintf("mapped windows: %v", last) })
	return menu, time.Since(clicked), err
}

// Choose activates the open menu's entry that matches with the keyboard, as a user can: Down
// moves from entry to entry, skipping separators and disabled entries as GTK does, and Return
// activates. Where the entry is comes from the item's menu layout, so no pixel position is
// assumed; the menu must show the layout's top level.
func (p *Panel) Choose(ctx context.Context, it *Item, match Match) error {
	root, err := it.Layout()
	if err != nil {
		return err
	}
	steps := 0
	for _, c := range root.Children {
		if c.Type == "separator" || !c.Visible || !c.Enabled {
			if match.fn(c) && c.Type != "separator" {
				return fmt.Errorf("choose: the menu entry with %s is disabled or hidden; menu:\n%s", match.desc, root)
			}
			continue
		}
		steps++
		if match.fn(c) {
			keys := append(strings.Fields(strings.Repeat("Down ", steps)), "Return")
			return p.s.Display.Xdotool(ctx, append([]string{"key", "--delay", "50"}, keys...)...)
		}
	}
	return fmt.Errorf("choose: no top-level menu entry with %s; menu:\n%s", match.desc, root)
}
