package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tokentray/assets"
	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

const goodClientID = "0123456789abcdef0123456789abcdef"

// fakeBackend is an in-memory session: it validates and keeps settings like the real one and
// records what the window asked for.
type fakeBackend struct {
	st   session.State
	subs []func(session.State)

	saves     []savedSettings
	saveErr   error // returned instead of validating, when set
	logins    int
	loginErr  error
	cancels   int
	resets    int
	copies    []session.Copyable
	copyErr   error
	testReply string
	testErr   error
	logouts   []bool
}

type savedSettings struct {
	settings      local.Settings
	secret        string
	secretChanged bool
}

func newFakeBackend(st session.State) *fakeBackend {
	return &fakeBackend{st: st}
}

func (f *fakeBackend) State() session.State { return f.st }

func (f *fakeBackend) Subscribe(fn func(session.State)) func() {
	f.subs = append(f.subs, fn)
	return func() {}
}

func (f *fakeBackend) publish(st session.State) {
	f.st = st
	for _, fn := range f.subs {
		fn(st)
	}
}

func (f *fakeBackend) SaveSettings(s local.Settings, secret string, secretChanged bool) error {
	if f.saveErr != nil {
		return f.saveErr
	}
	if err := s.Validate(); err != nil {
		return err
	}
	f.saves = append(f.saves, savedSettings{s, secret, secretChanged})
	st := f.st
	st.Settings = s
	if secretChanged {
		st.HasSecret = secret != ""
	}
	f.publish(st)
	return nil
}

func (f *fakeBackend) ResetSettings() error {
	f.resets++
	st := f.st
	st.Settings, st.SettingsErr = local.DefaultSettings(), ""
	st.Settings.ClientID = goodClientID
	f.publish(st)
	return nil
}

func (f *fakeBackend) StartLogin() error {
	f.logins++
	return f.loginErr
}

func (f *fakeBackend) CancelLogin() { f.cancels++ }

func (f *fakeBackend) Copy(what session.Copyable) (string, error) {
	if f.copyErr != nil {
		return "", f.copyErr
	}
	f.copies = append(f.copies, what)
	return "Copied " + string(what) + ".", nil
}

func (f *fakeBackend) TestToken(context.Context) (string, error) { return f.testReply, f.testErr }

func (f *fakeBackend) Logout(all bool) error {
	f.logouts = append(f.logouts, all)
	return nil
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	app     fyne.App
	backend *fakeBackend
	win     *Window
	now     time.Time
}

func newHarness(t *testing.T, st session.State) *harness {
	t.Helper()
	h := &harness{app: test.NewTempApp(t), backend: newFakeBackend(st), now: t0}
	h.win = newWindow(h.app, h.backend, nil, func() time.Time { return h.now }, inline, inline)
	return h
}

// inline runs f at once: the fake backend publishes on the test goroutine.
func inline(f func()) { f() }

func freshState() session.State {
	return session.State{Settings: local.DefaultSettings(), Storage: "system keyring (service \"tokentray\")"}
}

func loggedInState() session.State {
	st := freshState()
	st.Settings.ClientID = goodClientID
	st.HasSecret = true
	st.Authorization = session.LoggedIn
	st.Account = auth.Account{ID: "alice", DisplayName: "Alice"}
	st.GrantedScopes = local.TrayScopes()
	st.AccessExpiry = t0.Add(52 * time.Minute)
	st.AuthorizedAt = t0.AddDate(0, -1, 0)
	st.RefreshExpires = st.AuthorizedAt.AddDate(0, 6, 0)
	return st
}

// button finds a button by its text anywhere in o's tree.
func button(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

func assertMessage(t *testing.T, l *widget.Label, contains string, importance widget.Importance) {
	t.Helper()
	if !l.Visible() || !strings.Contains(l.Text, contains) || l.Importance != importance {
		t.Fatalf("message %q (visible %v, importance %v), want it to contain %q with importance %v",
			l.Text, l.Visible(), l.Importance, contains, importance)
	}
}

func TestClientIDValidatedAsYouType(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	assertMessage(t, a.clientIDMsg, clientIDHint, widget.MediumImportance)

	test.Type(a.clientID, "abc")
	assertMessage(t, a.clientIDMsg, "The client ID is 3 characters long", widget.DangerImportance)
	// Fyne's font cannot draw "→ ": the backend's arrows are shown as "›".
	assertMessage(t, a.clientIDMsg, "Copy the Client ID from developer.spotify.com/dashboard › your app › Settings", widget.DangerImportance)

	a.clientID.SetText(strings.ToUpper(goodClientID))
	assertMessage(t, a.clientIDMsg, "contains", widget.DangerImportance)

	a.clientID.SetText(goodClientID)
	assertMessage(t, a.clientIDMsg, "✓", widget.SuccessImportance)
}

func TestRedirectURIValidatedAsYouType(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	if a.redirect.Text != local.DefaultRedirectURI || a.redirectMsg.Visible() {
		t.Fatalf("redirect %q with message %q, want the default and no message", a.redirect.Text, a.redirectMsg.Text)
	}
	a.redirect.SetText("http://localhost:8888/callback")
	assertMessage(t, a.redirectMsg, "localhost", widget.DangerImportance)
	a.redirect.SetText("http://127.0.0.1:9999/cb")
	if a.redirectMsg.Visible() {
		t.Fatalf("valid URI still shows %q", a.redirectMsg.Text)
	}

	test.Tap(button(t, a.content(), "Copy"))
	if got := h.app.Clipboard().Content(); got != "http://127.0.0.1:9999/cb" {
		t.Fatalf("clipboard %q after copying the redirect URI", got)
	}
}

func TestFlowSentenceFollowsSecret(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	assertMessage(t, a.flow, flowPKCE, widget.MediumImportance)
	test.Type(a.secret, "s3cret")
	assertMessage(t, a.flow, flowSecret, widget.MediumImportance)
	a.secret.SetText("")
	assertMessage(t, a.flow, flowPKCE, widget.MediumImportance)
}

func TestForgetStoredSecretSwitchesToPKCE(t *testing.T) {
	h := newHarness(t, loggedInState())
	a := h.win.account
	assertMessage(t, a.flow, flowStored, widget.MediumImportance)
	if !strings.HasPrefix(a.secret.PlaceHolder, "Stored") {
		t.Errorf("placeholder %q does not say a secret is stored", a.secret.PlaceHolder)
	}
	test.Tap(a.forgetSecret)
	assertMessage(t, a.flow, flowPKCE, widget.MediumImportance)

	test.Tap(a.save)
	if len(h.backend.saves) != 1 || h.backend.saves[0].secret != "" || !h.backend.saves[0].secretChanged {
		t.Fatalf("saves %+v, want one that removes the secret", h.backend.saves)
	}
	assertMessage(t, a.flow, flowPKCE, widget.MediumImportance)
	if !a.forgetSecret.Disabled() {
		t.Error("Forget still enabled with no secret stored")
	}
}

func TestScopePresets(t *testing.T) {
	h := newHarness(t, freshState())
	s := h.win.scopes
	nowPlaying := []string{"user-read-currently-playing", "user-read-playback-state"}
	if got := s.selected(); !slices.Equal(got, nowPlaying) {
		t.Fatalf("default selection %q, want %q", got, nowPlaying)
	}
	for _, name := range nowPlaying {
		if !strings.HasSuffix(s.checks[name].Text, trayMark) {
			t.Errorf("tray scope %q not marked: %q", name, s.checks[name].Text)
		}
	}
	content := s.content()
	for _, tc := range []struct {
		preset string
		want   []string
	}{
		{"Everything", []string{"user-read-currently-playing", "user-read-playback-state", "user-modify-playback-state",
			"app-remote-control", "streaming", "user-read-playback-position", "user-top-read", "user-read-recently-played",
			"playlist-read-private", "playlist-read-collaborative", "playlist-modify-private", "playlist-modify-public",
			"user-library-modify", "user-library-read", "user-follow-modify", "user-follow-read", "user-read-email",
			"user-read-private", "ugc-image-upload"}},
		{"None", []string{}},
		{"Playlists", []string{"user-read-currently-playing", "user-read-playback-state", "playlist-read-private",
			"playlist-read-collaborative", "playlist-modify-private", "playlist-modify-public"}},
		{"Now playing", nowPlaying},
	} {
		test.Tap(button(t, content, tc.preset))
		if got := s.selected(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: selected %q, want %q", tc.preset, got, tc.want)
		}
	}
}

func TestBadInputBlocksLogin(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	a.redirect.SetText("https://127.0.0.1:8888/callback")
	test.Tap(a.login)
	if len(h.backend.saves) != 0 || h.backend.logins != 0 {
		t.Fatalf("saved %d times, logged in %d times with bad input", len(h.backend.saves), h.backend.logins)
	}
	assertMessage(t, a.clientIDMsg, "The client ID is empty", widget.DangerImportance)
	assertMessage(t, a.redirectMsg, "The redirect URI", widget.DangerImportance)
	assertMessage(t, a.formMsg, "Fix the fields", widget.DangerImportance)
}

func TestLoginSavesFormThenStarts(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	a.clientID.SetText(goodClientID)
	h.win.scopes.set([]string{"user-read-currently-playing", "user-top-read"})
	h.win.options.clearAfter.SetText("30")
	test.Type(a.secret, "topsecret")
	test.Tap(a.login)

	if h.backend.logins != 1 || len(h.backend.saves) != 1 {
		t.Fatalf("logins %d saves %d, want 1 and 1", h.backend.logins, len(h.backend.saves))
	}
	got := h.backend.saves[0]
	if got.settings.ClientID != goodClientID || got.settings.RedirectURI != local.DefaultRedirectURI ||
		!slices.Equal(got.settings.Scopes, []string{"user-read-currently-playing", "user-top-read"}) ||
		got.settings.ClipboardClearSeconds != 30 || got.secret != "topsecret" || !got.secretChanged {
		t.Fatalf("saved %+v", got)
	}
	if a.secret.Text != "" {
		t.Error("the secret stays in the entry after it was stored")
	}
	assertMessage(t, a.flow, flowStored, widget.MediumImportance)
}

func TestBackendFieldErrorsShownOnTheirTab(t *testing.T) {
	h := newHarness(t, freshState())
	h.win.account.clientID.SetText(goodClientID)
	h.backend.saveErr = local.FieldErrors{{Field: "scopes", Problem: `"user-red-email" is not a Spotify scope`, Fix: "Use scope names as listed."}}
	test.Tap(h.win.account.login)
	if h.backend.logins != 0 {
		t.Fatal("login started although saving failed")
	}
	assertMessage(t, h.win.scopes.msg, "The scope list \"user-red-email\" is not a Spotify scope", widget.DangerImportance)
	assertMessage(t, h.win.account.formMsg, "Fix the problems", widget.DangerImportance)
}

func TestLoginStartErrorShown(t *testing.T) {
	h := newHarness(t, freshState())
	h.win.account.clientID.SetText(goodClientID)
	h.backend.loginErr = errors.New("port 8888 is in use: close the other program or change the redirect URI")
	test.Tap(h.win.account.login)
	assertMessage(t, h.win.account.formMsg, "port 8888 is in use", widget.DangerImportance)
}

func TestLoginInProgress(t *testing.T) {
	h := newHarness(t, freshState())
	a := h.win.account
	st := h.backend.st
	st.Login = session.LoginState{InProgress: true, AuthorizeURL: "http://127.0.0.1:40000/authorize?client_id=x"}
	h.backend.publish(st)

	if !a.waiting.Visible() || a.authorize.Text != st.Login.AuthorizeURL || !a.login.Disabled() {
		t.Fatalf("waiting visible %v, url %q, login disabled %v", a.waiting.Visible(), a.authorize.Text, a.login.Disabled())
	}
	test.Tap(button(t, a.waiting, "Copy"))
	if got := h.app.Clipboard().Content(); got != st.Login.AuthorizeURL {
		t.Fatalf("clipboard %q, want the authorize URL", got)
	}
	test.Tap(button(t, a.waiting, "Cancel"))
	if h.backend.cancels != 1 {
		t.Fatalf("cancels %d", h.backend.cancels)
	}

	st.Login = session.LoginState{}
	st.Authorization = session.LoggedIn
	st.Account = auth.Account{ID: "alice", DisplayName: "Alice"}
	h.backend.publish(st)
	if a.waiting.Visible() || a.login.Disabled() {
		t.Fatal("still waiting after the login finished")
	}
	assertMessage(t, a.loginState, "Logged in as Alice (alice)", widget.SuccessImportance)

	st.Login.Err = "Spotify refused: INVALID_CLIENT: Invalid redirect URI"
	h.backend.publish(st)
	assertMessage(t, a.loginState, "Invalid redirect URI", widget.DangerImportance)
}

func TestCopyButtonsAskTheTray(t *testing.T) {
	h := newHarness(t, loggedInState())
	tk := h.win.tokens
	test.Tap(tk.copyUser)
	assertMessage(t, tk.result, "Copied user-token.", widget.SuccessImportance)
	test.Tap(tk.copyApp)
	test.Tap(tk.copyEnv)
	assertMessage(t, tk.result, "Copied env.", widget.SuccessImportance)
	want := []session.Copyable{session.CopyUserToken, session.CopyAppToken, session.CopyEnv}
	if !slices.Equal(h.backend.copies, want) {
		t.Fatalf("copies %q, want %q", h.backend.copies, want)
	}
}

func TestCopyErrorShown(t *testing.T) {
	h := newHarness(t, loggedInState())
	h.backend.copyErr = auth.ErrNeedsLogin
	test.Tap(h.win.tokens.copyUser)
	assertMessage(t, h.win.tokens.result, "login needed", widget.DangerImportance)
}

func TestTestToken(t *testing.T) {
	h := newHarness(t, loggedInState())
	h.backend.testReply = "Alice (alice), Premium, SE"
	test.Tap(h.win.tokens.test)
	assertMessage(t, h.win.tokens.result, "The token works: Alice (alice), Premium, SE", widget.SuccessImportance)

	h.backend.testErr = errors.New("Spotify answered 401: The access token expired")
	test.Tap(h.win.tokens.test)
	assertMessage(t, h.win.tokens.result, "401", widget.DangerImportance)
	if h.win.tokens.test.Disabled() {
		t.Fatal("Test token stays disabled after an answer")
	}
}

func TestButtonsFollowState(t *testing.T) {
	st := freshState()
	h := newHarness(t, st)
	tk := h.win.tokens
	for name, b := range map[string]*widget.Button{"copy user": tk.copyUser, "copy app": tk.copyApp,
		"copy env": tk.copyEnv, "test": tk.test, "logout": tk.logout} {
		if !b.Disabled() {
			t.Errorf("%s enabled before any setup", name)
		}
	}
	h.backend.publish(loggedInState())
	for name, b := range map[string]*widget.Button{"copy user": tk.copyUser, "copy app": tk.copyApp,
		"copy env": tk.copyEnv, "test": tk.test, "logout": tk.logout} {
		if b.Disabled() {
			t.Errorf("%s disabled while logged in", name)
		}
	}
}

func TestLogoutConfirms(t *testing.T) {
	h := newHarness(t, loggedInState())
	tk := h.win.tokens
	test.Tap(tk.logout)
	if !tk.confirm.Visible() || len(h.backend.logouts) != 0 {
		t.Fatalf("confirm visible %v, logouts %v: Log out… must ask first", tk.confirm.Visible(), h.backend.logouts)
	}
	test.Tap(button(t, tk.confirm, "Cancel"))
	if tk.confirm.Visible() || len(h.backend.logouts) != 0 {
		t.Fatal("Cancel logged out or left the question open")
	}
	test.Tap(tk.logout)
	tk.forgetSecret.SetChecked(true)
	test.Tap(button(t, tk.confirm, "Log out"))
	if !slices.Equal(h.backend.logouts, []bool{true}) {
		t.Fatalf("logouts %v, want one with the secret", h.backend.logouts)
	}
	assertMessage(t, tk.result, "Logged out.", widget.SuccessImportance)
}

func TestStatusAndCountdown(t *testing.T) {
	st := loggedInState()
	st.MissingScopes = []string{"user-read-playback-state"}
	st.InsecureStorage = true
	st.Storage = "insecure file /home/a/.config/tokentray/secrets.json"
	h := newHarness(t, st)
	tk := h.win.tokens

	if tk.account.Text != "Alice (alice)" {
		t.Errorf("account %q", tk.account.Text)
	}
	if !strings.HasPrefix(tk.access.Text, "expires in 52:00") {
		t.Errorf("access %q", tk.access.Text)
	}
	h.now = h.now.Add(61 * time.Second)
	h.win.tick()
	if !strings.HasPrefix(tk.access.Text, "expires in 50:59") {
		t.Errorf("after a tick: access %q", tk.access.Text)
	}
	h.now = st.AccessExpiry
	h.win.tick()
	if tk.access.Text != "expired, refreshing…" || tk.access.Importance != widget.WarningImportance {
		t.Errorf("at expiry: access %q", tk.access.Text)
	}
	assertMessage(t, tk.missing, "user-read-playback-state", widget.WarningImportance)
	assertMessage(t, tk.storage, "not encrypted", widget.WarningImportance)
	assertMessage(t, tk.refresh, "authorized on "+day(st.AuthorizedAt)+", expires on "+day(st.RefreshExpires), widget.MediumImportance)

	st.RefreshExpires = t0.Add(3 * 24 * time.Hour)
	st.StorageErr = "no keyring: start gnome-keyring or KeePassXC's Secret Service, or pass --insecure-storage"
	h.backend.publish(st)
	assertMessage(t, tk.refresh, "log in again before then", widget.WarningImportance)
	assertMessage(t, tk.storage, "no keyring", widget.DangerImportance)
}

func TestOptions(t *testing.T) {
	h := newHarness(t, loggedInState())
	o := h.win.options
	o.clearAfter.SetText("soon")
	test.Tap(button(t, o.content(), "Apply"))
	assertMessage(t, o.msg, "whole number of seconds", widget.DangerImportance)
	if len(h.backend.saves) != 0 {
		t.Fatal("saved an invalid delay")
	}

	o.clearAfter.SetText("0")
	test.Tap(o.notifications) // on → off
	if len(h.backend.saves) != 1 {
		t.Fatalf("saves %d, want 1", len(h.backend.saves))
	}
	got := h.backend.saves[0]
	if got.settings.ClipboardClearSeconds != 0 || got.settings.Notifications || got.settings.ClientID != goodClientID || got.secretChanged {
		t.Fatalf("saved %+v", got)
	}
	assertMessage(t, o.msg, "Saved.", widget.SuccessImportance)

	o.budget.SetText("-3")
	test.Tap(o.trackNotes)
	assertMessage(t, o.msg, "The now-playing budget is -3, outside 0..5000.", widget.DangerImportance)
	o.budget.SetText("120")
	o.budget.OnSubmitted("120")
	got = h.backend.saves[len(h.backend.saves)-1]
	if len(h.backend.saves) != 2 || got.settings.NowPlayingBudget != 120 || !got.settings.TrackNotifications {
		t.Fatalf("saves %d, last %+v; want the budget 120 and track notifications on", len(h.backend.saves), got.settings)
	}
}

func TestOptionsBeforeSetup(t *testing.T) {
	h := newHarness(t, freshState())
	h.win.account.clientID.SetText("half-typed")
	test.Tap(h.win.options.notifications)
	if len(h.backend.saves) != 0 {
		t.Fatal("saved although the stored settings have no client ID")
	}
	assertMessage(t, h.win.options.msg, "Save or Log in", widget.WarningImportance)
}

// fileCovers is a coverSource that hands out one real PNG file and records what was asked.
type fileCovers struct {
	path  string
	asked []string
}

func (c *fileCovers) Get(_ context.Context, url string) (string, error) {
	c.asked = append(c.asked, url)
	return c.path, nil
}

func TestNowPlayingShowsTrackProgressCoverAndSource(t *testing.T) {
	st := loggedInState()
	st.APICalls = "Web API calls in the last 24 h: 312 (now playing 290)"
	st.NowPlaying = nowplaying.State{
		Playing: &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Copper Skyline", Artists: []string{"The Velvet Orchards"},
			Album: "Static Bloom", URL: "https://open.spotify.com/track/7Hs", ArtURL: "https://i.scdn.co/image/ab67",
			Duration: 3 * time.Minute, Progress: 30 * time.Second},
		Label:    "The Velvet Orchards — Copper Skyline",
		Measured: t0,
	}
	a := test.NewTempApp(t)
	cover := filepath.Join(t.TempDir(), "cover.png")
	if err := os.WriteFile(cover, assets.AppIcon(), 0o600); err != nil {
		t.Fatal(err)
	}
	covers := &fileCovers{path: cover}
	now := t0.Add(10 * time.Second)
	b := newFakeBackend(st)
	w := newWindow(a, b, covers, func() time.Time { return now }, inline, inline)
	np := w.nowPlaying

	if np.title.Text != "Copper Skyline" || np.detail.Text != "The Velvet Orchards · Static Bloom" {
		t.Fatalf("title %q, detail %q", np.title.Text, np.detail.Text)
	}
	if got := np.progress.TextFormatter(); got != "0:40 / 3:00" || !np.progress.Visible() {
		t.Fatalf("progress %q (visible %v), want 0:40 / 3:00", got, np.progress.Visible())
	}
	now = now.Add(5 * time.Second)
	w.tick()
	if got := np.progress.TextFormatter(); got != "0:45 / 3:00" {
		t.Fatalf("progress a tick later %q, want 0:45 / 3:00", got)
	}
	if len(covers.asked) != 1 || covers.asked[0] != "https://i.scdn.co/image/ab67" || np.cover.File != cover {
		t.Fatalf("covers asked %q, shown %q", covers.asked, np.cover.File)
	}
	if np.source.Text != sourceWebAPI || np.calls.Text != st.APICalls || np.open.Disabled() {
		t.Fatalf("source %q, calls %q, open disabled %v", np.source.Text, np.calls.Text, np.open.Disabled())
	}

	// Paused on this computer's player: no progress from MPRIS, and no second fetch of the cover.
	local := st
	local.LocalPlayer = session.LocalPlayer{Name: "org.mpris.MediaPlayer2.spotify", Active: true}
	paused := *st.NowPlaying.Playing
	paused.IsPlaying = false
	local.NowPlaying = nowplaying.State{Playing: &paused, Label: "Paused: The Velvet Orchards — Copper Skyline"}
	b.publish(local)
	if np.title.Text != "Paused: Copper Skyline" || np.source.Text != sourceLocal || np.progress.Visible() || len(covers.asked) != 1 {
		t.Fatalf("paused locally: title %q, source %q, progress visible %v, covers asked %d",
			np.title.Text, np.source.Text, np.progress.Visible(), len(covers.asked))
	}

	quota := st
	quota.NowPlaying.ErrText = "Spotify's daily quota for your apps is used up until 14:20; now playing resumes then"
	b.publish(quota)
	assertMessage(t, np.problem, "used up until 14:20", widget.WarningImportance)
}

func TestDamagedSettingsOfferAReset(t *testing.T) {
	st := freshState()
	st.SettingsErr = "settings file /home/a/.config/tokentray/settings.json, min_valid_seconds: is 99999, outside 60..3000."
	h := newHarness(t, st)
	a := h.win.account
	if !a.damaged.Visible() || !strings.Contains(a.damagedMsg.Text, "min_valid_seconds: is 99999") {
		t.Fatalf("damaged row visible %v, text %q", a.damaged.Visible(), a.damagedMsg.Text)
	}
	test.Tap(button(t, a.content(), resetSettingsLabel))
	if h.backend.resets != 1 || a.damaged.Visible() || a.clientID.Text != goodClientID {
		t.Fatalf("after Reset: %d resets, damaged row visible %v, client ID %q", h.backend.resets, a.damaged.Visible(), a.clientID.Text)
	}
	assertMessage(t, a.formMsg, "the login and the client secret are as they were", widget.SuccessImportance)
}
