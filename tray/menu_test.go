package tray

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"tokentray/assets"
	"tokentray/auth"
	"tokentray/internal/local"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// loggedIn is a healthy session playing p, with an access token valid for 52.5 more minutes.
func loggedIn(p *webapi.Playing) session.State {
	return session.State{
		Settings:      local.Settings{ClientID: "0123456789abcdef0123456789abcdef"},
		HasSecret:     true,
		Authorization: session.LoggedIn,
		Account:       auth.Account{ID: "alice", DisplayName: "Alice"},
		AccessExpiry:  now.Add(52*time.Minute + 30*time.Second),
		NowPlaying:    nowplaying.State{Playing: p, Label: nowplaying.Label(p)},
	}
}

// clicks records which action ran.
type clicks []string

func (c *clicks) actions() Actions {
	rec := func(name string) func() { return func() { *c = append(*c, name) } }
	return Actions{
		OpenNowPlaying: rec("open"), CopyUserToken: rec("user"), CopyAppToken: rec("app"),
		CopyEnv: rec("env"), Login: rec("login"), Settings: rec("settings"), Quit: rec("quit"),
		PlayPause: rec("playpause"), Next: rec("next"), Previous: rec("previous"),
	}
}

func labels(m []Item) []string {
	var out []string
	for _, it := range m {
		if it.Separator {
			out = append(out, "---")
		} else {
			out = append(out, it.Label)
		}
	}
	return out
}

func item(t *testing.T, m []Item, prefix string) Item {
	t.Helper()
	for _, it := range m {
		if !it.Separator && strings.HasPrefix(it.Label, prefix) {
			return it
		}
	}
	t.Fatalf("no item starting with %q in %q", prefix, labels(m))
	return Item{}
}

// click runs the item's action, if it has one: a disabled item has none.
func click(it Item) {
	if it.Action != nil {
		it.Action()
	}
}

func TestMenuNowPlayingLines(t *testing.T) {
	track := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"Band"}, URL: "https://open.spotify.com/track/1"}
	paused := *track
	paused.IsPlaying = false
	episode := &webapi.Playing{Kind: webapi.Episode, IsPlaying: true, Title: "Ep 1", Show: "Pod", URL: "https://open.spotify.com/episode/2"}
	ad := &webapi.Playing{Kind: webapi.Ad, IsPlaying: true}

	cases := []struct {
		name     string
		playing  *webapi.Playing
		line     string
		openable bool
	}{
		{"nothing", nil, "Nothing playing", false},
		{"track", track, "Band — Song", true},
		{"paused", &paused, "Paused: Band — Song", true},
		{"episode", episode, "Podcast: Pod — Ep 1", true},
		{"ad", ad, "Advertisement", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c clicks
			m := Menu(State{State: loggedIn(tc.playing)}, now, c.actions())
			want := []string{tc.line, "---", "Copy access token (valid 52 min)", LabelCopyApp, LabelCopyEnv,
				"---", LabelLogin, LabelSettings, LabelQuit}
			if got := labels(m); !slices.Equal(got, want) {
				t.Fatalf("menu\n got %q\nwant %q", got, want)
			}
			first := m[0]
			if first.Enabled() != tc.openable {
				t.Errorf("now-playing line disabled=%v, want %v", !first.Enabled(), !tc.openable)
			}
			click(first)
			if opened := slices.Contains(c, "open"); opened != tc.openable {
				t.Errorf("clicking the line opened=%v, want %v", opened, tc.openable)
			}
			if IconState(loggedIn(tc.playing)) != assets.OK {
				t.Errorf("icon state %v, want OK", IconState(loggedIn(tc.playing)))
			}
		})
	}
}

func TestMenuLoggedOut(t *testing.T) {
	var c clicks
	st := session.State{Settings: local.Settings{ClientID: "0123456789abcdef0123456789abcdef"}}
	m := Menu(State{State: st}, now, c.actions())

	first := item(t, m, LabelLoggedOut)
	click(first)
	tok := item(t, m, "Copy access token")
	if tok.Label != "Copy access token — log in first" || tok.Enabled() {
		t.Errorf("token item %q disabled=%v, want it disabled saying to log in first", tok.Label, !tok.Enabled())
	}
	click(tok) // systray delivers this click although the item is disabled
	app := item(t, m, LabelCopyApp)
	if app.Label != LabelCopyApp+" — needs a client secret" || app.Enabled() {
		t.Errorf("app token item %q disabled=%v without a secret", app.Label, !app.Enabled())
	}
	click(app)
	click(item(t, m, LabelLoginNeed))
	if !slices.Equal(c, []string{"login", "login"}) {
		t.Fatalf("actions run %q: want only the two logins, never a copy", c)
	}
	if IconState(st) != assets.NeedsLogin {
		t.Errorf("icon state %v, want NeedsLogin", IconState(st))
	}
	if got := Tooltip(st); got != "tokentray: log in needed" {
		t.Errorf("tooltip %q", got)
	}
}

func TestMenuNeedsLogin(t *testing.T) {
	st := loggedIn(nil)
	st.Authorization = session.NeedsLogin
	st.NeedsLoginReason = "the refresh token expired (six months after the login)"
	var c clicks
	m := Menu(State{State: st}, now, c.actions())

	item(t, m, LabelLoggedOut)
	tok := item(t, m, "Copy access token")
	if tok.Label != "Copy access token — log in again" || tok.Enabled() {
		t.Errorf("token item %q disabled=%v", tok.Label, !tok.Enabled())
	}
	if env := item(t, m, LabelCopyEnv); env.Label != LabelCopyEnv+" — log in again" || env.Enabled() {
		t.Errorf(".env item %q disabled=%v", env.Label, !env.Enabled())
	}
	click(tok)
	click(item(t, m, LabelLoginNeed))
	if !slices.Equal(c, []string{"login"}) {
		t.Fatalf("actions run %q", c)
	}
	if IconState(st) != assets.NeedsLogin {
		t.Errorf("icon state %v, want NeedsLogin", IconState(st))
	}
	if got := Tooltip(st); !strings.Contains(got, st.NeedsLoginReason) {
		t.Errorf("tooltip %q does not say why", got)
	}
}

func TestMenuNoValidToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		expiry time.Time
		label  string
		usable bool
	}{
		{"expired", now.Add(-time.Second), "Copy access token — expired, refreshing…", false},
		{"under a minute", now.Add(40 * time.Second), "Copy access token (valid <1 min)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := loggedIn(nil)
			st.AccessExpiry = tc.expiry
			var c clicks
			tok := item(t, Menu(State{State: st}, now, c.actions()), "Copy access token")
			click(tok)
			if tok.Label != tc.label || tok.Enabled() != tc.usable || slices.Contains(c, "user") != tc.usable {
				t.Fatalf("item %q disabled=%v copied=%v, want %q usable=%v", tok.Label, !tok.Enabled(), c, tc.label, tc.usable)
			}
		})
	}
}

func TestMenuDemo(t *testing.T) {
	st := loggedIn(nil)
	st.Demo = true
	m := Menu(State{State: st}, now, Actions{})
	if m[0].Label != LabelDemoHeader || m[0].Enabled() {
		t.Fatalf("first item %q, want the disabled demo header", m[0].Label)
	}
	if got := Tooltip(st); !strings.HasPrefix(got, "tokentray (demo): Alice") {
		t.Errorf("tooltip %q", got)
	}
	if !bytes.Equal(assets.TrayIcon(IconState(st), st.Demo), assets.TrayIcon(assets.OK, true)) {
		t.Error("demo session does not get the demo icon")
	}
}

func TestMenuCopiedFlash(t *testing.T) {
	st := State{State: loggedIn(nil), Copied: map[session.Copyable]time.Time{
		session.CopyUserToken: now.Add(-time.Second),
		session.CopyEnv:       now.Add(-FlashFor), // over: back to the normal label
	}}
	m := Menu(st, now, Actions{})
	if got := item(t, m, "Access token").Label; got != "Access token copied ✓" {
		t.Errorf("user token item %q right after a copy", got)
	}
	item(t, m, LabelCopyEnv)
	later := Menu(st, now.Add(FlashFor), Actions{})
	item(t, later, "Copy access token (valid 52 min)")
}

func TestMenuLoginInProgressIgnoresClicks(t *testing.T) {
	st := loggedIn(nil)
	st.Login.InProgress = true
	var c clicks
	it := item(t, Menu(State{State: st}, now, c.actions()), LabelLoginWait)
	click(it)
	if it.Enabled() || len(c) != 0 {
		t.Fatalf("login item disabled=%v ran %q while a login is in progress", !it.Enabled(), c)
	}
}

func TestErrorsTurnIconRed(t *testing.T) {
	storage := loggedIn(nil)
	storage.StorageErr = "no keyring: start gnome-keyring or KeePassXC's Secret Service, or pass --insecure-storage"
	poll := loggedIn(nil)
	poll.NowPlaying.ErrText = "Spotify did not answer (timeout)"
	for name, st := range map[string]session.State{"storage": storage, "poll": poll} {
		if IconState(st) != assets.Offline {
			t.Errorf("%s: icon state %v, want Offline", name, IconState(st))
		}
	}
	m := Menu(State{State: poll}, now, Actions{})
	if w := item(t, m, "⚠ "); w.Label != "⚠ Spotify did not answer (timeout)" || w.Enabled() {
		t.Errorf("error line %q", w.Label)
	}
	if got := Tooltip(storage); !strings.Contains(got, "no keyring") {
		t.Errorf("tooltip %q", got)
	}
	// Without a keyring nothing can be copied, and each copy item says so.
	m = Menu(State{State: storage}, now, Actions{})
	for _, prefix := range []string{"Copy access token", LabelCopyApp, LabelCopyEnv} {
		if it := item(t, m, prefix); it.Enabled() || !strings.HasSuffix(it.Label, " — no keyring") {
			t.Errorf("without a keyring: %q disabled=%v", it.Label, !it.Enabled())
		}
	}
}

func TestLongTitleIsTruncated(t *testing.T) {
	p := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: strings.Repeat("la ", 40), Artists: []string{"Band"}}
	line := Menu(State{State: loggedIn(p)}, now, Actions{})[0].Label
	if n := len([]rune(line)); n > maxLabel || !strings.HasSuffix(line, "…") {
		t.Fatalf("line %q has %d runes", line, n)
	}
}

func TestTitleCarriesWhatPlays(t *testing.T) {
	track := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "A Very Long Title That Goes On And On Forever", Artists: []string{"Band"}}
	st := loggedIn(track)
	if got := Title(st); !strings.HasPrefix(got, "Band — A Very Long") || len([]rune(got)) > maxTitle {
		t.Errorf("playing: title %q", got)
	}
	paused := *track
	paused.IsPlaying = false
	if got := Title(loggedIn(&paused)); got != "tokentray" {
		t.Errorf("paused: title %q, want the app name", got)
	}
	demo := loggedIn(nil)
	demo.Demo = true
	if got := Title(demo); got != "tokentray (demo)" {
		t.Errorf("demo, nothing playing: title %q", got)
	}
}

func TestMenuControlsTheLocalPlayer(t *testing.T) {
	track := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"Band"}, URL: "https://open.spotify.com/track/1"}
	st := loggedIn(track)
	st.LocalPlayer = session.LocalPlayer{Name: "org.mpris.MediaPlayer2.spotify", Active: true}
	var c clicks
	m := Menu(State{State: st}, now, c.actions())
	want := []string{"Band — Song", LabelPause, LabelNext, LabelPrevious, "---", "Copy access token (valid 52 min)",
		LabelCopyApp, LabelCopyEnv, "---", LabelLogin, LabelSettings, LabelQuit}
	if got := labels(m); !slices.Equal(got, want) {
		t.Fatalf("menu\n got %q\nwant %q", got, want)
	}
	click(item(t, m, LabelPause))
	click(item(t, m, LabelNext))
	click(item(t, m, LabelPrevious))
	if !slices.Equal(c, []string{"playpause", "next", "previous"}) {
		t.Fatalf("actions run %q", c)
	}

	paused := *track
	paused.IsPlaying = false
	st.NowPlaying.Playing = &paused
	item(t, Menu(State{State: st}, now, c.actions()), LabelPlay)

	st.LocalPlayer = session.LocalPlayer{}
	if got := labels(Menu(State{State: st}, now, c.actions())); slices.Contains(got, LabelPlay) || slices.Contains(got, LabelNext) {
		t.Fatalf("controls without a local player: %q", got)
	}
}

func TestDamagedSettingsPointToTheWindow(t *testing.T) {
	st := session.State{Settings: local.DefaultSettings(),
		SettingsErr: "settings file /home/a/.config/tokentray/settings.json, min_valid_seconds: is 99999, outside 60..3000"}
	m := Menu(State{State: st}, now, Actions{})
	for _, prefix := range []string{"Copy access token", LabelCopyApp, LabelCopyEnv} {
		if it := item(t, m, prefix); it.Enabled() || !strings.HasSuffix(it.Label, " — repair the settings (Settings…)") {
			t.Errorf("with damaged settings: %q enabled=%v", it.Label, it.Enabled())
		}
	}
	if IconState(st) != assets.Offline {
		t.Errorf("icon state %v, want Offline", IconState(st))
	}
	if got := Tooltip(st); got != "tokentray: "+st.SettingsErr {
		t.Errorf("tooltip %q", got)
	}
}

func TestEscapeMnemonic(t *testing.T) {
	tests := []struct{ label, marker, want string }{
		{"Marrow & Finch", "&", "Marrow && Finch"}, // Windows
		{"a_b", "_", "a__b"},                       // dbusmenu
		{"a__b & c", "_", "a____b & c"},
		{"Marrow & Finch_x", "", "Marrow & Finch_x"}, // macOS
	}
	for _, tc := range tests {
		if got := escapeMnemonic(tc.label, tc.marker); got != tc.want {
			t.Errorf("escapeMnemonic(%q, %q) = %q, want %q", tc.label, tc.marker, got, tc.want)
		}
	}
}
