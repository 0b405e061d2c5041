package app

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
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
	clipboard := &memoryClipboard{}
	s, err := session.Open(session.Options{ConfigDir: t.TempDir(), Store: local.NewMemoryStore(),
		AccountsURL: fake.URL(), APIURL: fake.URL(), OpenBrowser: fakespotify.ApproveInBackground, Clipboard: clipboard})
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
	w := newWindow(a, s, nil, time.Now, func(f func()) { go f() }, func(f func()) { queue <- f })
	acct := w.account
	acct.clientID.SetText(fakespotify.DemoApp.ClientID)
	test.Type(acct.secret, fakespotify.DemoApp.ClientSecret)
	acct.redirect.SetText("http://127.0.0.1/callback")
	test.Tap(acct.login)

	until("the login to show", func() bool { return strings.Contains(acct.loginState.Text, "Demo Listener") })

	test.Tap(button(t, w.tokens.content(), "Copy access token"))
	until("a user token on the clipboard", func() bool {
		kind, left, ok := fake.AccessTokenValid(clipboard.content())
		return ok && kind == "user" && left >= 10*time.Minute
	})
	until("the copy's confirmation", func() bool { return strings.HasPrefix(w.tokens.result.Text, "Copied the access token (valid 5") })
	assertMessage(t, w.tokens.result, "The clipboard is cleared in 60 s.", widget.SuccessImportance)
	// The app token arrives from the background keeper shortly after the login.
	until("an app token on the clipboard", func() bool {
		if kind, _, ok := fake.AccessTokenValid(clipboard.content()); ok && kind == "app" {
			return true
		}
		test.Tap(button(t, w.tokens.content(), "Copy app token"))
		return false
	})
	test.Tap(button(t, w.tokens.content(), "Copy .env for other tools"))
	until("the .env on the clipboard", func() bool {
		env := clipboard.content()
		return strings.Contains(env, "SPOTIFY_REFRESH_TOKEN=") && strings.Contains(env, "SPOTIFY_CLIENT_SECRET=")
	})
}

// memoryClipboard is the tray's clipboard for tests: it keeps the last copy.
type memoryClipboard struct {
	mu   sync.Mutex
	text string
}

func (c *memoryClipboard) Copy(text string, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.text = text
	return nil
}

func (c *memoryClipboard) content() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text
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
