// Command preview shows the tokentray window with a sample session, for screenshots and for
// judging the layout without a Spotify account:
//
//	go run ./app/internal/preview -state loggedin -tab Tokens
//
// FYNE_THEME=dark selects the dark theme. Nothing is saved and nothing leaves the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"

	tokentray "tokentray/app"
	"tokentray/app/clip"
	"tokentray/auth"
	"tokentray/internal/nowplaying"
	"tokentray/internal/session"
	"tokentray/internal/webapi"
)

// sampleBackend answers with canned values; SaveSettings keeps what the window sends.
type sampleBackend struct{ st session.State }

func (b *sampleBackend) State() session.State                 { return b.st }
func (b *sampleBackend) Subscribe(func(session.State)) func() { return func() {} }
func (b *sampleBackend) SaveSettings(s auth.Settings, _ string, _ bool) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b.st.Settings = s
	return nil
}
func (b *sampleBackend) StartLogin() error { return nil }
func (b *sampleBackend) CancelLogin()      {}
func (b *sampleBackend) UserToken() (string, time.Duration, error) {
	return "BQD-preview", time.Until(b.st.AccessExpiry), nil
}
func (b *sampleBackend) AppToken() (string, time.Duration, error) {
	return "BQD-app-preview", time.Hour, nil
}
func (b *sampleBackend) EnvText() (string, error) { return "SPOTIFY_ACCESS_TOKEN=BQD-preview\n", nil }
func (b *sampleBackend) TestToken(context.Context) (string, error) {
	return "Alice Example (alice), Premium, SE", nil
}
func (b *sampleBackend) Logout(bool) error { return nil }

func sample(name string) (session.State, error) {
	now := time.Now()
	st := session.State{Settings: auth.DefaultSettings(), Storage: `system keyring (service "tokentray")`}
	loggedIn := func() {
		st.Settings.ClientID = "0123456789abcdef0123456789abcdef"
		st.HasSecret = false
		st.LoggedIn = true
		st.Account = auth.Account{ID: "alice", DisplayName: "Alice Example"}
		st.GrantedScopes = auth.TrayScopes()
		st.AccessExpiry = now.Add(52*time.Minute + 7*time.Second)
		st.AuthorizedAt = now.AddDate(0, -2, 0)
		st.RefreshExpires = st.AuthorizedAt.AddDate(0, 6, 0)
		p := &webapi.Playing{Kind: webapi.Track, IsPlaying: true, Title: "Song", Artists: []string{"Band"}}
		st.NowPlaying = nowplaying.State{Playing: p, Label: nowplaying.Label(p)}
	}
	switch name {
	case "fresh":
	case "loggedin":
		loggedIn()
	case "waiting":
		st.Settings.ClientID = "0123456789abcdef0123456789abcdef"
		st.Login = session.LoginState{InProgress: true, AuthorizeURL: "http://127.0.0.1:8888/login?state=3fa1c0d2"}
	case "problems":
		loggedIn()
		st.HasSecret = true
		st.NeedsLogin = true
		st.NeedsLoginReason = "Spotify refused the refresh token (invalid_grant): it was revoked or is older than six months"
		st.MissingScopes = []string{"user-read-playback-state"}
		st.InsecureStorage = true
		st.Storage = "insecure file /home/alice/.config/tokentray/secrets.json"
		st.RefreshExpires = now.Add(5 * 24 * time.Hour)
		st.Settings.ClientID = "0123456789ABCDEF"
	default:
		return st, fmt.Errorf("unknown -state %q: use fresh, loggedin, waiting or problems", name)
	}
	return st, nil
}

func main() {
	state := flag.String("state", "loggedin", "sample session: fresh, loggedin, waiting, problems")
	tab := flag.String("tab", "Account", "tab to show: Account, Scopes, Tokens, Options")
	flag.Parse()
	st, err := sample(*state)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	a := fyneapp.NewWithID("io.github.tokentray.preview")
	w := tokentray.NewWindow(a, &sampleBackend{st: st}, clip.New(a.Clipboard(), time.Minute, nil))
	go w.RunClock(nil)
	win := w.Window()
	tabs := win.Content().(*container.AppTabs)
	for _, item := range tabs.Items {
		if item.Text == *tab {
			tabs.Select(item)
		}
	}
	win.SetMaster()
	win.SetCloseIntercept(nil)
	win.ShowAndRun()
}
