package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tokentray/app/clip"
	"tokentray/auth"
	"tokentray/internal/fakespotify"
	"tokentray/internal/session"
)

// TestLoginThroughTheWindowAgainstTheFake drives the real session: the form is filled in and
// Log in pressed as a user would, the test follows the authorize redirect, and the copies put
// tokens the fake accepts on the clipboard.
func TestLoginThroughTheWindowAgainstTheFake(t *testing.T) {
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	s, err := session.Open(session.Options{ConfigDir: t.TempDir(), Store: auth.NewMemoryStore(),
		AccountsURL: fake.URL(), APIURL: fake.URL(), OpenBrowser: fakespotify.ApproveInBackground})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	a := test.NewTempApp(t)
	// The test goroutine plays the UI goroutine: the session's updates queue up and run in
	// until(), never concurrently with the taps.
	queue := make(chan func(), 1024)
	until := func(what string, done func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !done(); {
			select {
			case f := <-queue:
				f()
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	w := newWindow(a, s, clip.New(a.Clipboard(), time.Minute, nil), time.Now, func(f func()) { go f() }, func(f func()) { queue <- f })
	acct := w.account
	acct.clientID.SetText(fakespotify.DemoApp.ClientID)
	test.Type(acct.secret, fakespotify.DemoApp.ClientSecret)
	acct.redirect.SetText("http://127.0.0.1/callback")
	test.Tap(acct.login)

	until("the login to show", func() bool { return strings.Contains(acct.loginState.Text, "Demo Listener") })

	test.Tap(button(t, w.tokens.content(), "Copy access token"))
	if kind, left, ok := fake.AccessTokenValid(a.Clipboard().Content()); !ok || kind != "user" || left < 10*time.Minute {
		t.Fatalf("clipboard holds no valid user token (kind %q, %s left)", kind, left)
	}
	// The app token arrives from the background keeper shortly after the login.
	until("an app token on the clipboard", func() bool {
		test.Tap(button(t, w.tokens.content(), "Copy app token"))
		kind, _, ok := fake.AccessTokenValid(a.Clipboard().Content())
		return ok && kind == "app"
	})
	test.Tap(button(t, w.tokens.content(), "Copy .env for other tools"))
	if env := a.Clipboard().Content(); !strings.Contains(env, "SPOTIFY_REFRESH_TOKEN=") || !strings.Contains(env, "SPOTIFY_CLIENT_SECRET=") {
		t.Fatalf("clipboard after Copy .env: %q", env)
	}
}

func TestDemoIsSaidInTitleAndBanner(t *testing.T) {
	st := freshState()
	st.Demo = true
	h := newHarness(t, st)
	if !strings.Contains(h.win.win.Title(), "demo") {
		t.Fatalf("title %q", h.win.win.Title())
	}
	found := false
	for _, o := range test.LaidOutObjects(h.win.account.content()) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Demo mode") {
			found = true
		}
	}
	if !found {
		t.Fatal("no demo banner on the Account tab")
	}
}

func TestNoKeyringIsSaidWhereTheUserLogsIn(t *testing.T) {
	st := freshState()
	st.Storage = ""
	st.StorageErr = "no keyring: start gnome-keyring or KeePassXC's Secret Service, or pass --insecure-storage"
	h := newHarness(t, st)
	assertMessage(t, h.win.account.loginState, "--insecure-storage", widget.DangerImportance)
	if !h.win.account.login.Disabled() {
		t.Fatal("Log in is enabled although no login could be kept")
	}
}

func TestLoggedInBeforeTheAccountIsKnown(t *testing.T) {
	st := loggedInState()
	st.Account = auth.Account{}
	h := newHarness(t, st)
	if got := h.win.account.loginState.Text; got != "Logged in." {
		t.Fatalf("login line %q", got)
	}
}
