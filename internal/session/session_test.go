package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"tokentray/auth"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/mpris"
	"tokentray/internal/nowplaying"
	"tokentray/internal/webapi"
)

type notes struct {
	mu   sync.Mutex
	seen []string
}

func (n *notes) add(title, body string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seen = append(n.seen, title+": "+body)
}

func (n *notes) all() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return strings.Join(n.seen, "\n")
}

func (n *notes) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(n.all(), text); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no notification %q; seen: %q", text, n.all())
		}
	}
}

type fixture struct {
	fake  *fakespotify.Server
	s     *Session
	dir   string
	store local.SecretStore
	notes *notes
}

// start opens a demo-like session against a fresh fake, saves the demo app's settings and runs it.
func start(t *testing.T, withSecret bool) *fixture {
	t.Helper()
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	f := &fixture{fake: fake, dir: t.TempDir(), store: local.NewMemoryStore(), notes: &notes{}}
	f.s, err = Open(Options{ConfigDir: f.dir, Store: f.store, AccountsURL: fake.URL(), APIURL: fake.URL(),
		OpenBrowser: fakespotify.ApproveInBackground, Notify: f.notes.add,
		NotifyTrack: func(np nowplaying.State) { f.notes.add("track", np.Label) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go f.s.Run(ctx)

	settings := local.DefaultSettings()
	settings.ClientID = fakespotify.DemoApp.ClientID
	settings.RedirectURI = "http://127.0.0.1/callback"
	secret := ""
	if withSecret {
		secret = fakespotify.DemoApp.ClientSecret
	}
	if err := f.s.SaveSettings(settings, secret, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// waitFor polls the state until pred holds.
func waitFor(t *testing.T, s *Session, what string, pred func(State) bool) State {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st := s.State()
		if pred(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; state: %+v", what, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) login(t *testing.T) State {
	t.Helper()
	if err := f.s.StartLogin(); err != nil {
		t.Fatal(err)
	}
	return waitFor(t, f.s, "the login", func(st State) bool { return st.LoggedIn && st.Account.ID != "" })
}

func TestLoginThenEverythingTheTrayOffers(t *testing.T) {
	f := start(t, true)
	st := f.login(t)

	if st.Account.DisplayName != "Demo Listener" || st.Login.InProgress || st.NeedsLogin || !st.HasSecret {
		t.Fatalf("after login: %+v", st)
	}
	f.notes.waitFor(t, "Logged in to Spotify as Demo Listener")
	tok, left, err := f.s.UserToken()
	if err != nil || left < 10*time.Minute {
		t.Fatalf("UserToken: %v, %s left", err, left)
	}
	if kind, _, ok := f.fake.AccessTokenValid(tok); !ok || kind != "user" {
		t.Fatal("the copied user token is not valid at the fake")
	}
	var app string
	waitFor(t, f.s, "an app token", func(State) bool { app, _, err = f.s.AppToken(); return err == nil })
	if kind, _, ok := f.fake.AccessTokenValid(app); !ok || kind != "app" {
		t.Fatal("the copied app token is not a valid app token at the fake")
	}
	env, err := f.s.EnvText()
	if err != nil {
		t.Fatal(err)
	}
	var rt string
	for _, line := range strings.Split(strings.TrimSpace(env), "\n") {
		if v, ok := strings.CutPrefix(line, "SPOTIFY_REFRESH_TOKEN="); ok {
			rt = v
		}
	}
	if !strings.Contains(env, "SPOTIFY_CLIENT_ID="+fakespotify.DemoApp.ClientID+"\n") ||
		!strings.Contains(env, "SPOTIFY_CLIENT_SECRET="+fakespotify.DemoApp.ClientSecret+"\n") || !f.fake.RefreshTokenValid(rt) {
		t.Fatalf(".env lacks a line or holds an invalid refresh token:\n%s", env)
	}
	np := waitFor(t, f.s, "now playing", func(st State) bool { return st.NowPlaying.Playing != nil }).NowPlaying
	item, _, _, _ := f.fake.Player().Current()
	if !strings.Contains(np.Label, item.Name) {
		t.Fatalf("now playing %q, the fake plays %q", np.Label, item.Name)
	}
	if msg, err := f.s.TestToken(context.Background()); err != nil || !strings.Contains(msg, "Demo Listener") {
		t.Fatalf("TestToken: %q, %v", msg, err)
	}
}

func TestPKCELoginHasNoAppTokenAndWarnsInTheEnv(t *testing.T) {
	f := start(t, false)
	f.login(t)
	if _, _, err := f.s.AppToken(); !errors.Is(err, auth.ErrNoSecret) {
		t.Fatalf("AppToken with PKCE: %v", err)
	}
	env, err := f.s.EnvText()
	const notes = "# Spotify counts Web API calls per developer account: a tool using these credentials shares one daily quota" +
		" (about 1,100–1,400 calls for a Development-Mode app) with tokentray, whose now playing spends at most 500 calls a day.\n" +
		"# PKCE login: this refresh token rotates"
	if err != nil || !strings.HasPrefix(env, notes) || strings.Contains(env, "SPOTIFY_CLIENT_SECRET") {
		t.Fatalf("env: %q, %v", env, err)
	}
}

func TestNeedsLoginIsShownAndNotified(t *testing.T) {
	f := start(t, true)
	f.login(t)
	f.fake.RevokeAll()
	// A 401 makes the Web API client force a refresh, which Spotify refuses: invalid_grant.
	// The keeper hears of it at once (not at its next minute check).
	f.s.api.Me(context.Background())
	st := waitFor(t, f.s, "needs login", func(st State) bool { return st.NeedsLogin })
	if st.LoggedIn || !strings.Contains(st.NeedsLoginReason, "Refresh token revoked") {
		t.Fatalf("state %+v", st)
	}
	f.notes.waitFor(t, "tokentray: log in again")
	if _, _, err := f.s.UserToken(); !errors.Is(err, auth.ErrNeedsLogin) {
		t.Fatalf("UserToken: %v", err)
	}
	waitFor(t, f.s, "the poller to stop", func(st State) bool { return st.NowPlaying.LoggedOut })

	// Logging in again heals everything.
	st = f.login(t)
	if st.NeedsLogin || st.NeedsLoginReason != "" {
		t.Fatalf("after a new login: %+v", st)
	}
	if _, _, err := f.s.UserToken(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f.s, "the poller to resume", func(st State) bool { return !st.NowPlaying.LoggedOut && st.NowPlaying.Playing != nil })
}

func TestInvalidSettingsChangeNothing(t *testing.T) {
	f := start(t, true)
	before, err := os.ReadFile(filepath.Join(f.dir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	bad := f.s.State().Settings
	bad.ClientID = "not-an-id"
	bad.RedirectURI = "http://localhost:8888/callback"
	err = f.s.SaveSettings(bad, "", true)
	var fields local.FieldErrors
	if !errors.As(err, &fields) || len(fields) != 2 {
		t.Fatalf("got %v, want two field errors", err)
	}
	after, _ := os.ReadFile(filepath.Join(f.dir, "settings.json"))
	if string(before) != string(after) || !f.s.State().HasSecret {
		t.Fatal("invalid settings changed the file or removed the secret")
	}
}

func TestCancelLogin(t *testing.T) {
	f := start(t, true)
	f.s.o.OpenBrowser = func(string) error { return nil } // the user never answers
	if err := f.s.StartLogin(); err != nil {
		t.Fatal(err)
	}
	st := waitFor(t, f.s, "the authorize URL", func(st State) bool { return st.Login.AuthorizeURL != "" })
	if !strings.HasPrefix(st.Login.AuthorizeURL, f.fake.URL()+"/authorize?") {
		t.Fatalf("authorize URL %q", st.Login.AuthorizeURL)
	}
	if err := f.s.StartLogin(); err == nil {
		t.Fatal("a second login started while one waits")
	}
	f.s.CancelLogin()
	st = waitFor(t, f.s, "the login to end", func(st State) bool { return !st.Login.InProgress })
	if st.Login.Err != "" || st.LoggedIn {
		t.Fatalf("after cancel: %+v", st.Login)
	}
}

func TestNoKeyringIsShownAndLosesNothing(t *testing.T) {
	gokeyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(gokeyring.MockInit)
	dir := t.TempDir()
	settings := local.DefaultSettings()
	settings.ClientID = fakespotify.DemoApp.ClientID
	if err := local.SaveSettings(dir, settings); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{ConfigDir: dir, Service: "tokentray-test"})
	if err != nil {
		t.Fatal(err)
	}
	st := s.State()
	if !strings.Contains(st.StorageErr, "--insecure-storage") || st.Settings.ClientID != settings.ClientID {
		t.Fatalf("state %+v", st)
	}
	if _, _, err := s.UserToken(); err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Fatalf("UserToken without keyring: %v", err)
	}
	if err := s.SaveSettings(settings, "secret", true); err == nil {
		t.Fatal("a secret was accepted with nowhere to keep it")
	}

	insecure, err := Open(Options{ConfigDir: dir, Service: "tokentray-test", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if st := insecure.State(); st.StorageErr != "" || !st.InsecureStorage {
		t.Fatalf("with --insecure-storage: %+v", st)
	}
}

func TestAStoppedSessionPublishesNothing(t *testing.T) {
	s, err := Open(Options{ConfigDir: t.TempDir(), Store: local.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	calls := 0
	var mu sync.Mutex
	s.Subscribe(func(State) { mu.Lock(); calls++; mu.Unlock() })
	waitFor(t, s, "Run to start", func(State) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.runCtx != nil })
	cancel()
	<-done
	mu.Lock()
	before := calls
	mu.Unlock()
	s.update(func(st *State) { st.LastError = "late" })
	mu.Lock()
	defer mu.Unlock()
	if calls != before || s.State().LastError != "late" {
		t.Fatalf("after Run ended: %d more calls to subscribers; the state: %q", calls-before, s.State().LastError)
	}
}

func TestTheLocalPlayerSaysWhatPlaysUntilItLeaves(t *testing.T) {
	f := start(t, false)
	f.login(t)
	const fromAPI = "Marrow & Finch — Paper Lanterns Over Tide" // the demo queue's first track
	waitFor(t, f.s, "the Web API's answer", func(st State) bool { return st.NowPlaying.Label == fromAPI })

	local := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Local Song", Artists: []string{"Local Band"}}
	f.s.SetLocalPlayer(mpris.Snapshot{Player: "org.mpris.MediaPlayer2.spotify", Active: true, Playing: local})
	st := f.s.State()
	if st.NowPlaying.Label != "Local Band — Local Song" || !st.LocalPlayer.Active || st.LocalPlayer.Name != "org.mpris.MediaPlayer2.spotify" {
		t.Fatalf("with the local player: %+v, %+v", st.NowPlaying, st.LocalPlayer)
	}
	f.s.SetLocalPlayer(mpris.Snapshot{})
	if st := f.s.State(); st.NowPlaying.Label != fromAPI || st.LocalPlayer.Active {
		t.Fatalf("after the player left: %+v, want the Web API's answer back", st.NowPlaying)
	}
}

func TestTrackNotificationsAreOptInAndOnlyForANewTrack(t *testing.T) {
	f := start(t, false)
	st := f.login(t)
	waitFor(t, f.s, "the first track", func(st State) bool { return st.NowPlaying.Label == "Marrow & Finch — Paper Lanterns Over Tide" })
	// Each change is asked for at once, as after a login: WakeNowPlaying would wait until what is
	// known is stale.
	f.fake.Player().Next()
	f.s.nowPlaying().Wake()
	waitFor(t, f.s, "the second track", func(st State) bool { return st.NowPlaying.Label == "The Velvet Orchards — Copper Skyline" })
	if strings.Contains(f.notes.all(), "track:") {
		t.Fatalf("a track notification although the settings do not ask for them: %q", f.notes.all())
	}

	settings := st.Settings
	settings.TrackNotifications = true
	if err := f.s.SaveSettings(settings, "", false); err != nil {
		t.Fatal(err)
	}
	f.fake.Player().Pause()
	f.s.nowPlaying().Wake()
	waitFor(t, f.s, "the pause", func(st State) bool { return !st.NowPlaying.Playing.IsPlaying })
	f.fake.Player().Play()
	f.s.nowPlaying().Wake()
	waitFor(t, f.s, "the resume", func(st State) bool { return st.NowPlaying.Playing.IsPlaying })
	f.fake.Player().Next()
	f.s.nowPlaying().Wake()
	f.notes.waitFor(t, "track: Ilse Varga, Tomo Reyes — Northbound Static")
	if n := strings.Count(f.notes.all(), "track:"); n != 1 {
		t.Fatalf("%d track notifications, want one for the new track and none for the resume: %q", n, f.notes.all())
	}
}

func TestDamagedSettingsAreReportedAndResetKeepsTheLogin(t *testing.T) {
	f := start(t, false)
	f.login(t)
	if err := os.WriteFile(filepath.Join(f.dir, "settings.json"), []byte(`{"min_valid_seconds": 99999`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Reload(); err == nil {
		t.Fatal("Reload accepted a damaged settings file")
	}
	st := f.s.State()
	if !strings.Contains(st.SettingsErr, "settings.json") {
		t.Fatalf("SettingsErr %q does not name the file", st.SettingsErr)
	}
	if _, err := f.s.Copy(CopyUserToken); err == nil || !strings.Contains(err.Error(), "settings.json") {
		t.Fatalf("copy with damaged settings: %v", err)
	}
	// A tray started on the damaged file starts all the same, and says so.
	again, err := Open(Options{ConfigDir: f.dir, Store: f.store})
	if err != nil || again.State().SettingsErr == "" {
		t.Fatalf("Open on damaged settings: %v, SettingsErr %q", err, again.State().SettingsErr)
	}

	if err := f.s.ResetSettings(); err != nil {
		t.Fatal(err)
	}
	st = f.s.State()
	if st.SettingsErr != "" || st.Settings.ClientID != fakespotify.DemoApp.ClientID || !st.LoggedIn {
		t.Fatalf("after the reset: SettingsErr %q, client ID %q, logged in %v", st.SettingsErr, st.Settings.ClientID, st.LoggedIn)
	}
}

func TestALoginOfAnUnregisteredAccountSaysHowToFixIt(t *testing.T) {
	f := start(t, false)
	f.fake.SetDevModeRefusal(fakespotify.DevModeUnregisteredUser)
	if err := f.s.StartLogin(); err != nil {
		t.Fatal(err)
	}
	st := waitFor(t, f.s, "the login", func(st State) bool { return st.LoggedIn && !st.Login.InProgress })
	if !strings.Contains(st.LastError, "User Management") {
		t.Fatalf("LastError %q does not say to add the account under User Management", st.LastError)
	}
	f.notes.waitFor(t, "tokentray: Spotify refused the account: Spotify refused this account: the app is in Development Mode")
}
