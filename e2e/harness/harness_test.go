//go:build e2e

package harness_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"tokentray/e2e/harness"
)

// Shared by every test of this binary: one X server, one bus with a keyring, one build.
var (
	display  *harness.Display
	session  *harness.Session
	trayDemo string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	desk, err := harness.StartDesktop("../testdata/traydemo", "traydemo", "-tags", "e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer desk.Close()
	display, session, trayDemo = desk.Display, desk.Session, desk.Binary
	// go-keyring in this process uses godbus's shared session connection, made on first
	// use from this variable: point it at the private bus before any test runs.
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", session.BusAddress)
	return m.Run()
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func labels(m harness.MenuItem) []string {
	var out []string
	for _, c := range m.Children {
		if c.Type == "separator" {
			out = append(out, "---")
		} else {
			out = append(out, c.Label)
		}
	}
	return out
}

// TestTrayDemo drives one traydemo process through everything a journey needs.
func TestTrayDemo(t *testing.T) {
	opener := harness.NewOpener(t)
	page := consentServer(t)
	start := time.Now()
	app := session.Start(t, trayDemo, nil, opener.Env(), "TRAYDEMO_URL="+page.URL+"/authorize")
	item, err := session.WaitForItem(ctxFor(t, 20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tray item %s%s registered %v after start", item.Service, item.Path, item.RegisteredAt.Sub(start))
	if item.PID != app.PID() || item.Path != "/StatusNotifierItem" || !strings.HasPrefix(item.Service, ":") {
		t.Errorf("item %s%s pid %d; want the traydemo process (pid %d) on its unique name at /StatusNotifierItem",
			item.Service, item.Path, item.PID, app.PID())
	}

	t.Run("properties", func(t *testing.T) {
		// Fyne sets Title to the app's metadata name, else its unique ID.
		for name, want := range map[string]any{"Title": "dev.tokentray.e2e.traydemo", "Status": "Active", "Id": "dev.tokentray.e2e.traydemo"} {
			v, err := item.Prop(name)
			if err != nil || v.Value() != want {
				t.Errorf("Prop(%s) = %v, %v; want %q", name, v, err, want)
			}
		}
		v, err := item.Prop("IconPixmap")
		if err != nil {
			t.Fatal(err)
		}
		var pixmaps []struct {
			W, H int32
			Pix  []byte
		}
		if err := v.Store(&pixmaps); err != nil || len(pixmaps) != 1 || pixmaps[0].W != 64 || len(pixmaps[0].Pix) != 64*64*4 {
			t.Errorf("IconPixmap: %v (%s); want one 64x64 ARGB pixmap", err, v.Signature())
		}
	})

	t.Run("menu", func(t *testing.T) {
		if _, err := item.WaitForLabel(ctxFor(t, 10*time.Second), harness.Label("Copy hello")); err != nil {
			t.Fatal(err)
		}
		_, err := item.WaitForLabel(ctxFor(t, 300*time.Millisecond), harness.LabelPrefix("Logged in as"))
		if err == nil || !strings.Contains(err.Error(), `"Copy hello"`) {
			t.Errorf("waiting for a missing label: %v; want a timeout that shows the menu", err)
		}
		menu, err := item.Layout()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("menu:\n%s", menu)
		want := []string{"Copy hello", "Signed out", "Notify", "Open page", "More", "---", "Quit"}
		if got := labels(menu); !slices.Equal(got, want) {
			t.Errorf("labels %q, want %q", got, want)
		}
		disabled, err := item.Find(harness.Where("disabled", func(m harness.MenuItem) bool { return !m.Enabled }))
		if err != nil || disabled.Label != "Signed out" || !disabled.Visible {
			t.Errorf("first disabled item: %+v, %v; want the visible \"Signed out\"", disabled, err)
		}
		// Fyne resets the menu on every refresh and systray then truncates the next
		// GetLayout to depth 1: Layout must still see the submenu's child.
		nested, err := item.Find(harness.Label("Nested item"))
		if err != nil || !nested.Enabled {
			t.Errorf("Nested item: %+v, %v", nested, err)
		}
		if err := item.Click(harness.Label("Signed out")); err == nil || !strings.Contains(err.Error(), "disabled") {
			t.Errorf("clicking a disabled item: %v; want a refusal", err)
		}
		if err := item.Click(harness.Label("No such item")); err == nil || !strings.Contains(err.Error(), "Copy hello") {
			t.Errorf("clicking a missing item: %v; want an error that shows the menu", err)
		}
	})

	t.Run("clipboard and tooltip", func(t *testing.T) {
		if tip, err := item.Tooltip(); err != nil || tip != "traydemo: idle" {
			t.Errorf("tooltip %q, %v; want %q", tip, err, "traydemo: idle")
		}
		if err := item.Click(harness.Label("Copy hello")); err != nil {
			t.Fatal(err)
		}
		ctx := ctxFor(t, 10*time.Second)
		if _, err := display.WaitForClipboard(ctx, func(s string) bool { return s == "hello" }); err != nil {
			t.Error(err)
		}
		if _, err := item.WaitForTooltip(ctx, func(s string) bool { return s == "traydemo: copied" }); err != nil {
			t.Error(err)
		}
	})

	t.Run("notification", func(t *testing.T) {
		if err := item.Click(harness.Label("Notify")); err != nil {
			t.Fatal(err)
		}
		n, err := session.WaitForNotification(ctxFor(t, 10*time.Second), func(n harness.Notification) bool { return n.Summary == "traydemo" })
		if err != nil {
			t.Fatal(err)
		}
		if n.Body != "hello from traydemo" || n.AppName != "dev.tokentray.e2e.traydemo" || n.ID == 0 {
			t.Errorf("notification %+v", n)
		}
		if all := session.Notifications(); len(all) != 1 {
			t.Errorf("%d notifications recorded, want 1: %+v", len(all), all)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		if _, err := item.WaitForLabel(ctxFor(t, 5*time.Second), harness.Label("Quit")); err != nil {
			t.Fatal(err) // the window is up by the time the menu is complete
		}
		// The window may still be mapping: retake until it shows, within a deadline.
		deadline := time.Now().Add(10 * time.Second)
		for {
			path := display.Screenshot(t, "window")
			v := lumaVariance(t, path)
			if v >= 100 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("screenshot %s looks blank: luma variance %.1f", path, v)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("open URL in browser", func(t *testing.T) {
		if err := item.Click(harness.Label("Open page")); err != nil {
			t.Fatal(err)
		}
		ctx := ctxFor(t, 30*time.Second)
		url, err := opener.WaitForOpenedURL(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if url != page.URL+"/authorize" {
			t.Fatalf("opened %q, want %q", url, page.URL+"/authorize")
		}
		browser := harness.NewBrowser(t)
		landed, err := browser.ClickThrough(ctx, url, "#agree", page.URL+"/callback")
		if err != nil {
			t.Fatal(err)
		}
		if landed != page.URL+"/callback?code=granted" {
			t.Errorf("landed on %q", landed)
		}
		if text, err := browser.Text(ctx, "#result"); err != nil || text != "granted" {
			t.Errorf("callback page text %q, %v", text, err)
		}
	})

	if err := app.Stop(); err != nil {
		t.Errorf("traydemo did not exit cleanly on SIGTERM: %v\n%s", err, app.LogTail(20))
	}
}

// consentServer serves an authorization page whose #agree button navigates to
// /callback?code=granted, like a consent screen redirecting to the app.
func consentServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>consent</title>
<button id="agree" onclick="setTimeout(() => location.href = '/callback?code=granted', 100)">Agree</button>`)
	})
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>done</title><p id="result">%s</p>`, r.URL.Query().Get("code"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// lumaVariance checks the screenshot covers the screen and returns how much it varies.
func lumaVariance(t *testing.T, path string) float64 {
	t.Helper()
	v, size, err := harness.LumaVariance(path)
	if err != nil {
		t.Fatal(err)
	}
	if size.X != 1280 || size.Y != 800 {
		t.Errorf("screenshot is %v, want the 1280x800 screen", size)
	}
	return v
}

func TestKeyringRoundTrip(t *testing.T) {
	const service, user, secret = "tokentray-e2e", "client-secret", "s3cr3t-value"
	if err := keyring.Set(service, user, secret); err != nil {
		t.Fatalf("go-keyring Set against gnome-keyring: %v", err)
	}
	t.Cleanup(func() { _ = keyring.Delete(service, user) })
	if got, err := keyring.Get(service, user); err != nil || got != secret {
		t.Errorf("go-keyring Get = %q, %v", got, err)
	}
	ctx := ctxFor(t, 10*time.Second)
	if got, err := session.SecretToolLookup(ctx, "service", service, "username", user); err != nil || got != secret {
		t.Errorf("secret-tool sees %q, %v; want %q", got, err, secret)
	}
	if err := keyring.Delete(service, user); err != nil {
		t.Fatal(err)
	}
	if _, err := session.SecretToolLookup(ctx, "service", service, "username", user); !errors.Is(err, harness.ErrNoSecret) {
		t.Errorf("after Delete, secret-tool lookup: %v; want ErrNoSecret", err)
	}
}

// TestSessionWithoutKeyring proves a fresh per-test session: no Secret Service (and none
// activatable), its own tray host.
func TestSessionWithoutKeyring(t *testing.T) {
	bare := harness.NewSession(t, display, harness.SessionOptions{})
	if bare.BusAddress == session.BusAddress || bare.Home == session.Home {
		t.Fatalf("fresh session shares the bus or HOME of the main one")
	}
	ctx := ctxFor(t, 20*time.Second)
	_, err := bare.SecretToolLookup(ctx, "service", "tokentray", "username", "client-secret")
	if err == nil || errors.Is(err, harness.ErrNoSecret) || !strings.Contains(err.Error(), "org.freedesktop.secrets") {
		t.Errorf("secret-tool without a keyring: %v; want the Secret Service to be missing", err)
	}
	app := bare.Start(t, trayDemo, nil)
	item, err := bare.WaitForItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if item.PID != app.PID() {
		t.Errorf("item of pid %d, want %d", item.PID, app.PID())
	}
	// What any other client of the bus sees of the watcher.
	conn, err := dbus.Connect(bare.BusAddress)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	watcher := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
	registered := func() []string {
		v, err := watcher.GetProperty("org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems")
		if err != nil {
			t.Fatal(err)
		}
		return v.Value().([]string)
	}
	if host, err := watcher.GetProperty("org.kde.StatusNotifierWatcher.IsStatusNotifierHostRegistered"); err != nil || host.Value() != true {
		t.Errorf("IsStatusNotifierHostRegistered = %v, %v", host, err)
	}
	if got := registered(); !slices.Equal(got, []string{item.Service + "/StatusNotifierItem"}) {
		t.Errorf("RegisteredStatusNotifierItems = %q", got)
	}

	if err := item.Click(harness.Label("Quit")); err != nil {
		t.Fatal(err)
	}
	if err := app.Wait(ctx); err != nil {
		t.Errorf("traydemo after Quit: %v", err)
	}
	// The item leaves with its process, so a restarted app's item is the one found.
	for len(registered()) != 0 {
		if ctx.Err() != nil {
			t.Fatalf("item still registered after its process exited: %q", registered())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
