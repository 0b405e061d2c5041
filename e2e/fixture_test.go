//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/e2e/harness"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/windowproc"
	"tokentray/tray"
)

// The Spotify app the journeys register at the fake, as a user would on the dashboard. Its
// redirect URI has no port, so the app's loopback callback may pick any free one.
const (
	clientID     = "3c5e7a9b1d2f4e6a8c0b2d4f6e8a0c1b"
	clientSecret = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	redirectURI  = "http://127.0.0.1/callback"
	// listener is the fake's default user, whom every login authorizes.
	listener = "Demo Listener"
)

// track is a queue item; the names are short so that menu labels are never truncated.
func track(name, artist string, d time.Duration) fakespotify.Item {
	return fakespotify.Item{Kind: "track", ID: "id" + strings.ReplaceAll(name, " ", ""), Name: name,
		Artists: []string{artist}, Album: "E2E Album", Duration: d}
}

// warmup plays while a journey logs in: long enough never to end during a test.
var warmup = track("Warmup Hum", "Test Choir", time.Hour)

// journey is one user story against a real tokentray process: its fake Spotify (in this
// process, so the test controls it directly), its config directory, the session it runs in and
// what a failure needs to show.
type journey struct {
	t       *testing.T
	sess    *harness.Session
	keyring bool // the session runs gnome-keyring
	fake    *fakespotify.Server
	dir     string // TOKENTRAY_CONFIG_DIR, in the session's HOME where the default would be
	opener  *harness.Opener
	browser *harness.Browser // started by the first login
	since   time.Time        // notifications before this belong to earlier journeys

	app      *harness.Proc
	item     *harness.Item
	lastShot string
}

// sharedJourney runs in the binary's shared session; such journeys run one after another, which
// also keeps their windows apart in screenshots.
func sharedJourney(t *testing.T) *journey { return newJourney(t, shared, true) }

// parallelJourney runs in a session of its own, alongside other parallel journeys: the app's
// keyring entries have fixed names, so parallel apps need separate keyrings (and tray hosts).
// Parallel tests start only after the sequential ones are done, so they never spoil a
// screenshot.
func parallelJourney(t *testing.T) *journey {
	t.Parallel()
	return newJourney(t, harness.NewSession(t, ownDisplay(t), harness.SessionOptions{Keyring: true}), true)
}

// panelJourney is a parallel journey whose tray host is a real xfce4-panel instead of the
// harness's watcher.
func panelJourney(t *testing.T, panel harness.PanelOptions) *journey {
	t.Parallel()
	return newJourney(t, harness.NewSession(t, ownDisplay(t), harness.SessionOptions{Keyring: true, Panel: &panel}), true)
}

// ownDisplay is an X server for one parallel journey: the clipboard is per display, and parallel
// journeys copy.
func ownDisplay(t *testing.T) *harness.Display {
	own, err := harness.StartDisplay()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { own.Close() })
	return own
}

// newJourney prepares a journey in sess: a fake Spotify with the app registered and warmup
// playing, and an empty config directory and keyring (the shared session is reused by the
// journeys that run one after another).
func newJourney(t *testing.T, sess *harness.Session, keyring bool) *journey {
	t.Helper()
	fake := fakespotify.New(fakespotify.Options{})
	if err := fake.RegisterApp(fakespotify.App{ClientID: clientID, ClientSecret: clientSecret,
		Name: "tokentray e2e", RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	fake.Player().SetQueue(warmup)
	if _, err := fake.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	j := &journey{t: t, sess: sess, keyring: keyring, fake: fake, dir: filepath.Join(sess.Home, ".config", "tokentray"),
		opener: harness.NewOpener(t), since: time.Now()}
	j.reset()
	t.Cleanup(j.reset)
	return j
}

// reset forgets everything tokentray stored in this session.
func (j *journey) reset() {
	if err := os.RemoveAll(j.dir); err != nil {
		j.t.Fatal(err)
	}
	if j.keyring {
		j.secretTool(nil, "clear", "service", local.KeyringService)
	}
}

// secretToolNothingMatched is how secret-tool clear says there was nothing to clear.
func secretToolNothingMatched(args []string, err error, out []byte) bool {
	var exit *exec.ExitError
	return args[0] == "clear" && errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0
}

// env is what the app and the CLI get besides the session's environment.
func (j *journey) env(extra ...string) []string {
	return append([]string{
		"TOKENTRAY_CONFIG_DIR=" + j.dir,
		"TOKENTRAY_ACCOUNTS_URL=" + j.fake.URL(),
		"TOKENTRAY_API_URL=" + j.fake.URL(),
		j.opener.Env(),
		// checkRaces judges races; the exit status stays the app's own.
		"GORACE=exitcode=0",
	}, extra...)
}

// saveSettings writes settings.json as the window's Save does (local.SaveSettings), for the
// registered app, after edit.
func (j *journey) saveSettings(edit func(*local.Settings)) local.Settings {
	j.t.Helper()
	s := local.DefaultSettings()
	s.ClientID, s.RedirectURI = clientID, redirectURI
	if edit != nil {
		edit(&s)
	}
	if err := local.SaveSettings(j.dir, s); err != nil {
		j.t.Fatal(err)
	}
	return s
}

// storeSecret puts the client secret into gnome-keyring where go-keyring looks for it
// (attributes service and username), as the window's Save does.
func (j *journey) storeSecret() {
	j.t.Helper()
	j.secretTool(strings.NewReader(clientSecret), "store", "--label=tokentray client secret",
		"service", local.KeyringService, "username", local.KeyClientSecret)
}

func (j *journey) secretTool(stdin *strings.Reader, args ...string) {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", args...)
	cmd.Env = j.sess.Env()
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if out, err := cmd.CombinedOutput(); err != nil && !secretToolNothingMatched(args, err, out) {
		j.t.Fatalf("secret-tool %s: %v: %s", args[0], err, out)
	}
}

// lookup reads a tokentray secret from gnome-keyring the way any libsecret client would.
func (j *journey) lookup(key string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return j.sess.SecretToolLookup(ctx, "service", local.KeyringService, "username", key)
}

// storedLogin is the user-token record from the keyring.
func (j *journey) storedLogin() (auth.UserToken, error) {
	var ut auth.UserToken
	raw, err := j.lookup(local.KeyUserToken)
	if err != nil {
		return ut, err
	}
	if err := json.Unmarshal([]byte(raw), &ut); err != nil {
		return ut, fmt.Errorf("the keyring's %s is not a UserToken: %v", local.KeyUserToken, err)
	}
	return ut, nil
}

// start runs the tray app and waits for its tray item.
func (j *journey) start(extraEnv ...string) {
	j.t.Helper()
	var app *harness.Proc
	// Registered before Start's own cleanup, so it runs after the app has stopped.
	j.t.Cleanup(func() {
		if app != nil {
			checkRaces(j.t, app)
		}
	})
	app = j.sess.Start(j.t, binary, nil, j.env(extraEnv...)...)
	j.app = app
	j.item = j.itemOf(app.PID())
}

// itemOf waits for the tray item of pid; a previous process's item may still be being forgotten.
func (j *journey) itemOf(pid int) *harness.Item {
	j.t.Helper()
	ctx := within(j.t, 30*time.Second)
	for {
		it, err := j.sess.WaitForItem(ctx)
		j.must("wait for the tray item", err)
		if it.PID == pid {
			return it
		}
		select {
		case <-ctx.Done():
			j.fail("wait for the tray item", fmt.Errorf("only pid %d's item registered, want pid %d", it.PID, pid))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop ends the app as logging out of the desktop would (SIGTERM) and requires a clean exit.
func (j *journey) stop() {
	j.t.Helper()
	if err := j.app.Stop(); err != nil {
		j.fail("stop the app", err)
	}
	// A window goes when its tray does.
	j.waitForWindows(0)
	// The window's own 3 s fallback exits 0 when Fyne's quit hangs; that is still a hung quit.
	if strings.Contains(j.app.LogTail(1<<20), windowproc.QuitHungNotice) {
		j.fail("stop the app", errors.New("the window's quit hung and its SIGTERM fallback ended it; its goroutine dump is in the app's log"))
	}
}

// checkRaces fails the test when the race detector reported a data race in tokentray's own
// code, and logs races that lie entirely in a dependency (fyne.io/systray has one in GetLayout).
func checkRaces(t *testing.T, app *harness.Proc) {
	log := app.LogTail(1 << 20)
	const banner = "WARNING: DATA RACE"
	for _, report := range strings.Split(log, banner)[1:] {
		report, _, _ = strings.Cut(report, "==================")
		if racesInTokentray(report) {
			t.Errorf("the race detector reported a data race in tokentray (pid %d):\n%s%s", app.PID(), banner, report)
		} else {
			t.Logf("data race in a dependency, not in tokentray's code (pid %d):\n%s%s", app.PID(), banner, firstLines(report, 6))
		}
	}
}

// racesInTokentray tells whether one of the racing accesses is made by tokentray's own code: the
// first frame of an access stack, past the runtime, reflect and sync, is in a tokentray package.
// A race inside a dependency that tokentray merely called into (systray encoding an icon, say)
// has tokentray frames further down only.
func racesInTokentray(report string) bool {
	atAccess := false
	for _, line := range strings.Split(report, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(trimmed, ":") && strings.Contains(trimmed, " at 0x"): // "[Previous] read/write at 0x…"
			atAccess = true
		case !atAccess || trimmed == "" || strings.HasPrefix(trimmed, "/"):
			// not in an access stack, or a file:line row
		case strings.HasPrefix(trimmed, "runtime.") || strings.HasPrefix(trimmed, "reflect.") ||
			strings.HasPrefix(trimmed, "sync.") || strings.HasPrefix(trimmed, "internal/"):
			// look further for the code that made the access
		default:
			if strings.HasPrefix(trimmed, "tokentray/") {
				return true
			}
			atAccess = false
		}
	}
	return false
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

// fail stops the test at step with what a reader needs: the error, the tray menu and tooltip,
// the notifications so far, a fresh screenshot and the app's last output (Proc's cleanup).
func (j *journey) fail(step string, err error) {
	j.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "step %q failed: %v", step, err)
	if j.item != nil {
		if menu, lerr := j.item.Layout(); lerr == nil {
			fmt.Fprintf(&b, "\ntray menu:\n%s", menu)
		}
		if tip, terr := j.item.Tooltip(); terr == nil {
			fmt.Fprintf(&b, "tooltip: %q", tip)
		}
	}
	for _, n := range j.notifications() {
		fmt.Fprintf(&b, "\nnotification: %q / %q", n.Summary, n.Body)
	}
	reqs := j.fake.Requests()
	fmt.Fprintf(&b, "\nlast requests at the fake (of %d):", len(reqs))
	for _, r := range reqs[max(len(reqs)-8, 0):] {
		fmt.Fprintf(&b, "\n  %s %s -> %d", r.Method, r.Path, r.Status)
	}
	if j.lastShot != "" {
		fmt.Fprintf(&b, "\nlast screenshot: %s", j.lastShot)
	}
	fmt.Fprintf(&b, "\nscreenshot now: %s", j.sess.Display.Screenshot(j.t, "failed"))
	j.t.Fatal(b.String())
}

func (j *journey) must(step string, err error) {
	j.t.Helper()
	if err != nil {
		j.fail(step, err)
	}
}

// within is a context for a step that must complete within d.
func within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// notifications are those this journey's apps sent.
func (j *journey) notifications() []harness.Notification {
	var out []harness.Notification
	for _, n := range j.sess.Notifications() {
		if !n.Delivered.Before(j.since) {
			out = append(out, n)
		}
	}
	return out
}

func (j *journey) waitForNotification(ctx context.Context, summary string) harness.Notification {
	j.t.Helper()
	n, err := j.sess.WaitForNotification(ctx, func(n harness.Notification) bool {
		return !n.Delivered.Before(j.since) && n.Summary == summary
	})
	j.must("wait for the notification "+summary, err)
	return n
}

// loginItem matches the menu's Log in… item in any of its enabled forms.
var loginItem = harness.Where("the Log in… item", func(m harness.MenuItem) bool {
	return m.Label == tray.LabelLogin || m.Label == tray.LabelLoginNeed
})

// nowPlaying matches the menu line that shows name.
func nowPlaying(name string) harness.Match {
	return harness.Where(fmt.Sprintf("a now-playing line with %q", name), func(m harness.MenuItem) bool {
		return strings.Contains(m.Label, name)
	})
}

// login clicks Log in… in the tray, agrees on the fake's consent page in Chromium and waits
// until the tray shows what the fake plays. beforeAgree runs just before the click on #agree.
func (j *journey) login(beforeAgree func()) {
	j.t.Helper()
	// systray renumbers the menu on every refresh (the tray's first state changes come right
	// after a start), so a click that raced one is lost, as copyItem knows: click again when no
	// login started. A click on a login that did start is refused by the tray, harmlessly.
	for attempt := 1; ; attempt++ {
		j.must("click Log in… in the tray", j.item.Click(loginItem))
		authorize, err := j.opener.WaitForOpenedURL(within(j.t, 10*time.Second))
		if err == nil {
			j.agreeInBrowser(authorize, beforeAgree)
			return
		}
		if attempt == 3 {
			j.must("wait for the app to open the authorize URL with "+harness.BrowserEnvVar, err)
		}
	}
}

// openedURL is the next URL the app opened with the browser, such as the authorize URL a click
// on Log in… opens.
func (j *journey) openedURL() string {
	j.t.Helper()
	authorize, err := j.opener.WaitForOpenedURL(within(j.t, 60*time.Second))
	j.must("wait for the app to open the authorize URL with "+harness.BrowserEnvVar, err)
	return authorize
}

// agreeInBrowser takes the login at authorize, the URL the app opened, through the fake's
// consent page, and waits until the tray shows what the fake plays.
func (j *journey) agreeInBrowser(authorize string, beforeAgree func()) {
	j.t.Helper()
	ctx := within(j.t, 60*time.Second)
	if !strings.HasPrefix(authorize, j.fake.URL()+"/authorize?") {
		j.fail("check the authorize URL", fmt.Errorf("the app opened %q, not the fake's /authorize", authorize))
	}
	u, err := url.Parse(authorize)
	j.must("parse the authorize URL", err)
	callback := u.Query().Get("redirect_uri")
	if !strings.HasPrefix(callback, "http://127.0.0.1:") {
		j.fail("check the redirect URI", fmt.Errorf("redirect_uri %q is not a loopback callback with a port", callback))
	}
	if j.browser == nil {
		j.browser = harness.NewBrowser(j.t)
	}
	if beforeAgree != nil {
		beforeAgree()
	}
	_, err = j.browser.ClickThrough(ctx, authorize, "#agree", callback)
	j.must("agree on the consent page and land on the app's callback", err)
	item, _, _, _ := j.fake.Player().Current()
	_, err = j.item.WaitForLabel(ctx, nowPlaying(item.Name))
	j.must("wait for the tray to show what plays after the login", err)
}

// copyItem clicks a copy item and returns the clipboard once it holds something other than
// before. systray renumbers items on every menu refresh, so a click that raced a refresh is lost:
// it is tried again, which is harmless for a copy.
func (j *journey) copyItem(match harness.Match) string {
	j.t.Helper()
	before, err := j.sess.Display.Clipboard(within(j.t, 5*time.Second))
	j.must("read the clipboard", err)
	var lastErr error
	for range 3 {
		if lastErr = j.item.Click(match); lastErr != nil {
			break
		}
		var text string
		text, lastErr = j.sess.Display.WaitForClipboard(within(j.t, 3*time.Second), func(s string) bool { return s != "" && s != before })
		if lastErr == nil {
			return text
		}
	}
	j.fail("copy with the tray item", lastErr)
	return ""
}

// waitForIcon polls the tray icon for up to 5 s until want accepts it, and returns it.
func (j *journey) waitForIcon(what string, want func([]byte) bool) []byte {
	j.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		icon := j.iconPixmap()
		if want(icon) {
			return icon
		}
		if time.Now().After(deadline) {
			j.fail("wait for "+what, errors.New("the tray icon did not change to it within 5 s"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// iconPixmap is the tray icon as the panel gets it.
func (j *journey) iconPixmap() []byte {
	j.t.Helper()
	icon, err := j.item.Icon()
	j.must("read IconPixmap", err)
	return icon.Pix
}

// windowVisible reports whether a mapped window is titled exactly "tokentray" (there is no
// window manager, so mapped is what the user would see; Fyne's SystrayMonitor is excluded).
func (j *journey) windowVisible() bool {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^tokentray$")
	cmd.Env = append(os.Environ(), j.sess.Display.Env()...)
	out, err := cmd.Output()
	return err == nil && len(bytes.TrimSpace(out)) > 0
}

// screenshot waits until the window is mapped and drawn, saves the screen and returns the path.
func (j *journey) screenshot(name string) string {
	j.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !j.windowVisible() {
		if time.Now().After(deadline) {
			j.fail("wait for the window to show", errors.New("no visible X window titled \"tokentray\" (xdotool search --onlyvisible)"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for {
		j.lastShot = j.sess.Display.Screenshot(j.t, name)
		// Freshly mapped GL windows are black until their first frame.
		v, _, err := harness.LumaVariance(j.lastShot)
		j.must("measure the screenshot", err)
		if v >= 100 || time.Now().After(deadline) {
			return j.lastShot
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// screenshotChanged saves the screen once it differs from the screenshot at previous (the
// window redraws after a click).
func (j *journey) screenshotChanged(name, previous string) string {
	j.t.Helper()
	before, err := os.ReadFile(previous)
	j.must("read "+previous, err)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		shot := j.screenshot(name)
		now, err := os.ReadFile(shot)
		j.must("read "+shot, err)
		if !bytes.Equal(now, before) {
			return shot
		}
		if time.Now().After(deadline) {
			j.fail("wait for the window to redraw", fmt.Errorf("%s still looks like %s", shot, previous))
		}
	}
}

// tokensTab is where the window's "Tokens" tab is drawn: the window sits at the screen's
// top-left corner (no window manager places it) and Fyne lays the tabs out the same every time.
var tokensTab = [2]int{181, 21}

// clickWindow clicks at a point of the screen, as the user would with the mouse.
func (j *journey) clickWindow(what string, at [2]int) {
	j.t.Helper()
	cmd := exec.Command("xdotool", "mousemove", fmt.Sprint(at[0]), fmt.Sprint(at[1]), "click", "1")
	cmd.Env = append(os.Environ(), j.sess.Display.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		j.fail("click "+what, fmt.Errorf("xdotool: %v: %s", err, out))
	}
}

// filesContaining lists the files under root that contain any of secrets.
func filesContaining(t *testing.T, root string, secrets ...string) []string {
	var hits []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				hits = append(hits, fmt.Sprintf("%s holds %s", path, auth.Redact(s)))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return hits
}

// cli runs `tokentray args...` in the session with the journey's environment.
func (j *journey) cli(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(j.sess.Env(), j.env()...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
