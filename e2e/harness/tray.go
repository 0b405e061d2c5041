//go:build e2e || faults

package harness

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	defaultItem  = dbus.ObjectPath("/StatusNotifierItem")
	callTimeout  = 5 * time.Second
	layoutTrials = 3
)

// trayHost is the StatusNotifierWatcher (and, as far as items can tell, the host).
type trayHost struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu    sync.Mutex
	items []*Item // live items, oldest first
}

// watcher holds exactly the D-Bus methods of org.kde.StatusNotifierWatcher: godbus
// exports every method of the value it is given.
type watcher struct{ host *trayHost }

func exportTrayHost(conn *dbus.Conn) (*trayHost, error) {
	h := &trayHost{conn: conn}
	if err := conn.Export(watcher{h}, watcherPath, watcherName); err != nil {
		return nil, err
	}
	props, err := prop.Export(conn, watcherPath, prop.Map{watcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitConst},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitConst},
	}})
	if err != nil {
		return nil, err
	}
	h.props = props
	if err := requestName(conn, watcherName); err != nil {
		return nil, err
	}
	// Items vanish with their connection (the app exited): forget them, so WaitForItem
	// after a restart returns the new process's item.
	if err := conn.AddMatchSignal(dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged")); err != nil {
		return nil, err
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go func() {
		for sig := range signals {
			if sig.Name == "org.freedesktop.DBus.NameOwnerChanged" && len(sig.Body) == 3 && sig.Body[2] == "" {
				name, _ := sig.Body[0].(string)
				h.forget(name)
			}
		}
	}()
	return h, nil
}

func requestName(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("own %s: %v", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("own %s: name already taken on the private bus", name)
	}
	return nil
}

// RegisterStatusNotifierItem accepts both conventions: a bus name (item at
// /StatusNotifierItem) or, as fyne.io/systray does, an object path on the sender's
// unique name.
func (w watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := &Item{Service: string(sender), Path: defaultItem, conn: w.host.conn}
	if strings.HasPrefix(service, "/") {
		it.Path = dbus.ObjectPath(service)
	} else {
		it.Service = service
	}
	var pid uint32
	if err := w.host.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, string(sender)).Store(&pid); err != nil {
		return dbus.MakeFailedError(err)
	}
	it.PID = int(pid)
	it.RegisteredAt = time.Now()
	w.host.add(it)
	return nil
}

// RegisterStatusNotifierHost accepts hosts; the harness is the only one that matters.
func (w watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

func (h *trayHost) add(it *Item) {
	h.mu.Lock()
	kept := h.items[:0]
	for _, old := range h.items {
		if old.key() != it.key() {
			kept = append(kept, old)
		}
	}
	h.items = append(kept, it)
	h.publishLocked()
	h.mu.Unlock()
	_ = h.conn.Emit(watcherPath, watcherName+".StatusNotifierItemRegistered", it.key())
}

func (h *trayHost) forget(busName string) {
	h.mu.Lock()
	var kept, gone []*Item
	for _, it := range h.items {
		if it.Service == busName {
			gone = append(gone, it)
		} else {
			kept = append(kept, it)
		}
	}
	h.items = kept
	h.publishLocked()
	h.mu.Unlock()
	for _, it := range gone {
		_ = h.conn.Emit(watcherPath, watcherName+".StatusNotifierItemUnregistered", it.key())
	}
}

func (h *trayHost) publishLocked() {
	keys := make([]string, len(h.items))
	for i, it := range h.items {
		keys[i] = it.key()
	}
	// SetMust panics when the bus is already closed, which happens when a session is torn down
	// while an app leaves it: nobody is left to tell then.
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); !ok || !errors.Is(err, dbus.ErrClosed) {
				panic(r)
			}
		}
	}()
	h.props.SetMust(watcherName, "RegisteredStatusNotifierItems", keys)
}

func (h *trayHost) newest() (*Item, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.items) == 0 {
		return nil, false
	}
	return h.items[len(h.items)-1], true
}

func (h *trayHost) describe() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.items) == 0 {
		return "no item registered with the harness's StatusNotifierWatcher (is the app using this session's DBUS_SESSION_BUS_ADDRESS? see its log)"
	}
	var b strings.Builder
	for _, it := range h.items {
		fmt.Fprintf(&b, "%s (pid %d)\n", it.key(), it.PID)
	}
	return b.String()
}

// WaitForItem returns the most recently registered tray item that is still on the bus (with a
// panel, RegisteredAt is not known and stays zero).
func (s *Session) WaitForItem(ctx context.Context) (*Item, error) {
	if s.panel != nil {
		last := ""
		return poll(ctx, "a tray item to register with xfce4-panel", func(context.Context) (*Item, bool, error) {
			it, ok, state := s.newestPanelItem()
			last = state
			return it, ok, nil
		}, func() string { return last })
	}
	return poll(ctx, "a tray item to register", func(context.Context) (*Item, bool, error) {
		it, ok := s.tray.newest()
		return it, ok, nil
	}, s.tray.describe)
}

// Item is a registered StatusNotifierItem with its com.canonical.dbusmenu menu.
type Item struct {
	Service      string // the registrant's unique bus name
	Path         dbus.ObjectPath
	PID          int // the process that registered it
	RegisteredAt time.Time

	conn *dbus.Conn
}

func (it *Item) key() string { return it.Service + string(it.Path) }

func (it *Item) call(obj dbus.ObjectPath, method string, args ...any) *dbus.Call {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return it.conn.Object(it.Service, obj).CallWithContext(ctx, method, 0, args...)
}

// Prop reads a property of org.kde.StatusNotifierItem: Id, Title, Status, ToolTip
// ((sa(iiay)ss)), IconPixmap (a(iiay)), Menu (object path), ItemIsMenu, ...
func (it *Item) Prop(name string) (dbus.Variant, error) {
	var v dbus.Variant
	if err := it.call(it.Path, "org.freedesktop.DBus.Properties.Get", itemIface, name).Store(&v); err != nil {
		return v, fmt.Errorf("tray item %s property %s: %v", it.key(), name, err)
	}
	return v, nil
}

// Tooltip returns the ToolTip's title, plus "\n" and its description when there is one
// (fyne.io/systray only sets the title).
func (it *Item) Tooltip() (string, error) {
	v, err := it.Prop("ToolTip")
	if err != nil {
		return "", err
	}
	var tip struct {
		IconName string
		Pixmaps  []struct {
			W, H int32
			Pix  []byte
		}
		Title, Text string
	}
	if err := v.Store(&tip); err != nil {
		return "", fmt.Errorf("tray item %s ToolTip %s: %v", it.key(), v.Signature(), err)
	}
	if tip.Text == "" {
		return tip.Title, nil
	}
	return tip.Title + "\n" + tip.Text, nil
}

// WaitForTooltip polls the tooltip until pred accepts it, and returns it.
func (it *Item) WaitForTooltip(ctx context.Context, pred func(string) bool) (string, error) {
	last := "(not read yet)"
	return poll(ctx, "the tray tooltip to change", func(context.Context) (string, bool, error) {
		tip, err := it.Tooltip()
		if err != nil {
			last = err.Error()
			return "", false, nil
		}
		last = fmt.Sprintf("tooltip is %q", tip)
		return tip, pred(tip), nil
	}, func() string { return last })
}

// MenuItem is one entry of a dbusmenu layout, with the spec's defaults filled in.
type MenuItem struct {
	ID          int32 // changes on every menu refresh: find items by label
	Label       string
	Enabled     bool
	Visible     bool
	Type        string // "standard" or "separator"
	ToggleType  string // "", "checkmark" or "radio"
	ToggleState int32  // 1 checked, 0 unchecked, -1 indeterminate
	Submenu     bool   // children-display is "submenu"
	Children    []MenuItem
}

// String renders the item and its children as an indented tree, for failure messages.
func (m MenuItem) String() string {
	var b strings.Builder
	m.render(&b, 0)
	return b.String()
}

func (m MenuItem) render(b *strings.Builder, depth int) {
	fmt.Fprintf(b, "%s[%d] ", strings.Repeat("  ", depth), m.ID)
	switch {
	case m.Type == "separator":
		b.WriteString("--------")
	case depth == 0 && m.ID == 0:
		b.WriteString("(root)")
	default:
		fmt.Fprintf(b, "%q", m.Label)
	}
	if !m.Enabled {
		b.WriteString(" disabled")
	}
	if !m.Visible {
		b.WriteString(" hidden")
	}
	if m.ToggleType != "" {
		fmt.Fprintf(b, " %s=%d", m.ToggleType, m.ToggleState)
	}
	b.WriteString("\n")
	for _, c := range m.Children {
		c.render(b, depth+1)
	}
}

// truncated reports a submenu whose children were left out. fyne.io/systray answers the
// first GetLayout after every menu reset (Fyne resets on each refresh) with depth 1.
func (m MenuItem) truncated() bool {
	if m.Submenu && len(m.Children) == 0 {
		return true
	}
	for _, c := range m.Children {
		if c.truncated() {
			return true
		}
	}
	return false
}

func (it *Item) menuPath() (dbus.ObjectPath, error) {
	v, err := it.Prop("Menu")
	if err != nil {
		return "", err
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		return "", fmt.Errorf("tray item %s: Menu property is %s, not an object path", it.key(), v.Signature())
	}
	return path, nil
}

// Layout reads the whole menu (GetLayout(0, -1, [])), the root being ID 0.
func (it *Item) Layout() (MenuItem, error) {
	menuPath, err := it.menuPath()
	if err != nil {
		return MenuItem{}, err
	}
	var root MenuItem
	for range layoutTrials {
		var revision uint32
		var raw []any
		if err := it.call(menuPath, menuIface+".GetLayout", int32(0), int32(-1), []string{}).Store(&revision, &raw); err != nil {
			return MenuItem{}, fmt.Errorf("tray item %s GetLayout: %v", it.key(), err)
		}
		if root, err = parseLayout(raw); err != nil {
			return MenuItem{}, fmt.Errorf("tray item %s GetLayout: %v", it.key(), err)
		}
		if !root.truncated() {
			break
		}
	}
	return root, nil
}

func parseLayout(fields []any) (MenuItem, error) {
	var id int32
	var props map[string]dbus.Variant
	var children []dbus.Variant
	if err := dbus.Store(fields, &id, &props, &children); err != nil {
		return MenuItem{}, fmt.Errorf("layout node is not (ia{sv}av): %v", err)
	}
	m := MenuItem{ID: id, Enabled: true, Visible: true, Type: "standard", ToggleState: -1}
	for name, v := range props {
		switch name {
		case "label":
			m.Label, _ = v.Value().(string)
		case "enabled":
			m.Enabled, _ = v.Value().(bool)
		case "visible":
			m.Visible, _ = v.Value().(bool)
		case "type":
			m.Type, _ = v.Value().(string)
		case "toggle-type":
			m.ToggleType, _ = v.Value().(string)
		case "toggle-state":
			m.ToggleState = toInt32(v.Value())
		case "children-display":
			m.Submenu = v.Value() == "submenu"
		}
	}
	for _, c := range children {
		node, ok := c.Value().([]any)
		if !ok {
			return MenuItem{}, fmt.Errorf("child of %d is %s, not a layout node", id, c.Signature())
		}
		child, err := parseLayout(node)
		if err != nil {
			return MenuItem{}, err
		}
		m.Children = append(m.Children, child)
	}
	return m, nil
}

// toInt32 accepts any integer: the spec says int32, fyne.io/systray sends a Go int.
func toInt32(v any) int32 {
	switch n := v.(type) {
	case int32:
		return n
	case int64:
		return int32(n)
	case int16:
		return int32(n)
	case uint32:
		return int32(n)
	case byte:
		return int32(n)
	}
	return -1
}

// Match selects a menu item; its description appears in failure messages.
type Match struct {
	desc string
	fn   func(MenuItem) bool
}

// Label matches an item whose label is exactly label. fyne.io/systray sends Fyne's
// label unchanged: no mnemonic underscores are added.
func Label(label string) Match {
	return Where(fmt.Sprintf("label %q", label), func(m MenuItem) bool { return m.Label == label })
}

// LabelPrefix matches an item whose label starts with prefix, for labels that carry
// changing text ("Logged in as …").
func LabelPrefix(prefix string) Match {
	return Where(fmt.Sprintf("label starting with %q", prefix), func(m MenuItem) bool { return strings.HasPrefix(m.Label, prefix) })
}

// Where matches with any predicate, described by desc.
func Where(desc string, fn func(MenuItem) bool) Match { return Match{desc, fn} }

// find returns the first non-separator item, depth first, that matches.
func (m MenuItem) find(match Match) (MenuItem, bool) {
	for _, c := range m.Children {
		if c.Type != "separator" && match.fn(c) {
			return c, true
		}
		if found, ok := c.find(match); ok {
			return found, true
		}
	}
	return MenuItem{}, false
}

// Find returns the current menu item that matches.
func (it *Item) Find(match Match) (MenuItem, error) {
	root, err := it.Layout()
	if err != nil {
		return MenuItem{}, err
	}
	found, ok := root.find(match)
	if !ok {
		return MenuItem{}, fmt.Errorf("no tray menu item with %s; menu:\n%s", match.desc, root)
	}
	return found, nil
}

// WaitForLabel polls the menu until an item matches, and returns it.
func (it *Item) WaitForLabel(ctx context.Context, match Match) (MenuItem, error) {
	last := "(layout not read yet)"
	return poll(ctx, "a tray menu item with "+match.desc, func(context.Context) (MenuItem, bool, error) {
		root, err := it.Layout()
		if err != nil {
			last = err.Error()
			return MenuItem{}, false, nil
		}
		last = root.String()
		found, ok := root.find(match)
		return found, ok, nil
	}, func() string { return last })
}

// Click activates the matching item as a tray host would: disabled or hidden items are
// refused, because fyne.io/systray itself delivers clicks to disabled items. The click is
// asynchronous in the app; wait for its effect, and do not click twice in a row without
// waiting (systray drops a click while the previous one is being handled).
func (it *Item) Click(match Match) error {
	var root MenuItem
	var found MenuItem
	ok := false
	// A layout read while the app rebuilds its menu can miss items (systray replaces the menu
	// in place): look a few times before calling the item absent.
	for try := 0; try < layoutTrials && !ok; try++ {
		if try > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		var err error
		if root, err = it.Layout(); err != nil {
			return err
		}
		found, ok = root.find(match)
	}
	switch {
	case !ok:
		return fmt.Errorf("click: no tray menu item with %s; menu:\n%s", match.desc, root)
	case !found.Enabled || !found.Visible:
		return fmt.Errorf("click: tray menu item %q is disabled or hidden; menu:\n%s", found.Label, root)
	}
	menuPath, err := it.menuPath()
	if err != nil {
		return err
	}
	call := it.call(menuPath, menuIface+".Event", found.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		return fmt.Errorf("click %q: %v", found.Label, call.Err)
	}
	return nil
}

// Icon decodes the item's IconPixmap as a panel does: the largest of its ARGB32 images, bytes
// in network order (A, R, G, B), not premultiplied. It is empty while the item has no icon.
func (it *Item) Icon() (*image.NRGBA, error) {
	v, err := it.Prop("IconPixmap")
	if err != nil {
		return nil, err
	}
	var pixmaps []struct {
		W, H int32
		Pix  []byte
	}
	if err := v.Store(&pixmaps); err != nil {
		return nil, fmt.Errorf("tray item %s IconPixmap %s: %v", it.key(), v.Signature(), err)
	}
	largest := -1
	for i, p := range pixmaps {
		if len(p.Pix) == int(4*p.W*p.H) && p.W > 0 && (largest < 0 || p.W*p.H > pixmaps[largest].W*pixmaps[largest].H) {
			largest = i
		}
	}
	if largest < 0 { // no icon set yet: a panel shows nothing
		return &image.NRGBA{}, nil
	}
	p := pixmaps[largest]
	img := image.NewNRGBA(image.Rect(0, 0, int(p.W), int(p.H)))
	for i := 0; i < len(p.Pix); i += 4 {
		copy(img.Pix[i:i+4], []byte{p.Pix[i+1], p.Pix[i+2], p.Pix[i+3], p.Pix[i]})
	}
	return img, nil
}
