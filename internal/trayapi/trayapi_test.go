package trayapi

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/fakespotify"
	"tokentray/internal/local"
	"tokentray/internal/session"
)

// shortDir is a config directory whose socket path fits the 108-byte limit of Unix sockets,
// which t.TempDir() under a long test name can exceed.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

type fixture struct {
	dir     string
	fake    *fakespotify.Server
	s       *session.Session
	srv     *Server
	client  *Client
	started atomic.Int32 // windows the server asked to start
}

// start runs a session against a fresh fake, serves it on a real socket and, with login, logs
// in through the fake's consent page.
func start(t *testing.T, login bool) *fixture {
	t.Helper()
	fake, err := fakespotify.StartDemo("127.0.0.1:0", fakespotify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	f := &fixture{dir: shortDir(t), fake: fake}
	f.s, err = session.Open(session.Options{ConfigDir: f.dir, Store: local.NewMemoryStore(), AccountsURL: fake.URL(),
		APIURL: fake.URL(), OpenBrowser: fakespotify.ApproveInBackground})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go f.s.Run(ctx)
	settings := local.DefaultSettings()
	settings.ClientID = fakespotify.DemoApp.ClientID
	settings.RedirectURI = "http://127.0.0.1/callback"
	if err := f.s.SaveSettings(settings, "", true); err != nil {
		t.Fatal(err)
	}
	f.srv, err = Listen(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.srv.Close)
	f.srv.Serve(f.s, func() { f.started.Add(1) })
	f.client = NewClient(f.dir)
	if login {
		f.login(t)
	}
	return f
}

func (f *fixture) login(t *testing.T) {
	t.Helper()
	if err := f.client.StartLogin(); err != nil {
		t.Fatal(err)
	}
	f.waitForState(t, "the login", func(st session.State) bool { return st.Authorization == session.LoggedIn && st.Account.ID != "" })
}

func (f *fixture) waitForState(t *testing.T, what string, pred func(session.State) bool) session.State {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		st, err := f.client.State()
		if err != nil {
			t.Fatal(err)
		}
		if pred(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; state %+v", what, st)
		}
	}
}

func TestASecondTrayIsRefusedAndTheFirstCanBeReached(t *testing.T) {
	f := start(t, false)
	if _, err := Listen(f.dir); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Listen: %v, want ErrRunning", err)
	}
	if err := f.client.Show(); err != nil {
		t.Fatal(err)
	}
	if n := f.started.Load(); n != 1 {
		t.Fatalf("show started %d windows, want 1", n)
	}
	info, err := os.Stat(filepath.Join(f.dir, "instance.sock"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v mode %v, want 0600", err, info.Mode().Perm())
	}
}

func TestAfterCloseNoTrayAnswersAndTheNextOneStarts(t *testing.T) {
	dir := shortDir(t)
	srv, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if err := NewClient(dir).Reload(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("reload without a tray: %v, want ErrNoTray", err)
	}
	// A crashed tray leaves its socket file behind; the next one replaces it.
	ln, err := net.Listen("unix", filepath.Join(dir, "instance.sock"))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if err := NewClient(dir).Show(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("show beside a stale socket: %v, want ErrNoTray", err)
	}
	srv, err = Listen(dir)
	if err != nil {
		t.Fatalf("a tray after a crashed one: %v", err)
	}
	srv.Close()
}

func TestTokenComesFromTheTraysCache(t *testing.T) {
	f := start(t, false)
	f.fake.SetTokenLifetime(20 * time.Minute)
	f.login(t)
	before := f.fake.Count("POST", "/api/token")
	tok, err := f.client.Token(false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if kind, left, ok := f.fake.AccessTokenValid(tok.AccessToken); !ok || kind != "user" || left < 19*time.Minute {
		t.Fatalf("token kind %q, %s left, valid %v", kind, left, ok)
	}
	if tok.TokenType != "Bearer" || time.Until(tok.ExpiresAt) < 19*time.Minute {
		t.Fatalf("token type %q, expires at %s", tok.TokenType, tok.ExpiresAt)
	}
	if after := f.fake.Count("POST", "/api/token"); after != before {
		t.Fatalf("%d token-endpoint calls for a cached token, want 0", after-before)
	}
	// Asking for more validity than the cached token has makes the tray, not the caller, refresh.
	longer, err := f.client.Token(false, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if longer.AccessToken == tok.AccessToken || f.fake.Count("POST", "/api/token") != before+1 {
		t.Fatalf("a longer --min-valid did not refresh once in the tray")
	}
}

func TestErrorsKeepTheirClassAcrossTheSocket(t *testing.T) {
	f := start(t, false)
	_, err := f.client.Token(false, 0)
	if !errors.Is(err, auth.ErrNeedsLogin) {
		t.Fatalf("token before a login: %v, want ErrNeedsLogin", err)
	}
	_, err = f.client.Token(true, 0)
	if !errors.Is(err, auth.ErrNoSecret) {
		t.Fatalf("app token without a secret: %v, want ErrNoSecret", err)
	}
	bad := local.DefaultSettings()
	bad.ClientID = "not-an-id"
	err = f.client.SaveSettings(bad, "", false)
	var fields local.FieldErrors
	if !errors.As(err, &fields) || len(fields) != 1 || fields[0].Field != "client_id" {
		t.Fatalf("invalid settings: %v, want one client_id field error", err)
	}
}

func TestTheWindowFollowsTheStateAndIsRaisedNotDoubled(t *testing.T) {
	f := start(t, false)
	raised := make(chan struct{}, 4)
	win, err := OpenWindow(f.dir, func() { raised <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	if got := win.State().Settings.ClientID; got != fakespotify.DemoApp.ClientID {
		t.Fatalf("first state has client ID %q", got)
	}
	states := make(chan session.State, 16)
	win.Subscribe(func(st session.State) { states <- st })

	if _, err := OpenWindow(f.dir, nil); !errors.Is(err, ErrWindowOpen) {
		t.Fatalf("second window: %v, want ErrWindowOpen", err)
	}
	select {
	case <-raised:
	case <-time.After(5 * time.Second):
		t.Fatal("the open window was not raised for the second one")
	}
	f.srv.ShowWindow()
	select {
	case <-raised:
	case <-time.After(5 * time.Second):
		t.Fatal("show did not raise the open window")
	}
	if n := f.started.Load(); n != 0 {
		t.Fatalf("%d windows started while one was open", n)
	}

	// The window's actions reach the tray and the tray's state reaches the window.
	if err := win.StartLogin(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.After(15 * time.Second); ; {
		select {
		case st := <-states:
			if st.Authorization == session.LoggedIn && st.Account.ID != "" {
				goto loggedIn
			}
		case <-deadline:
			t.Fatalf("the window never saw the login; last %+v", win.State())
		}
	}
loggedIn:
	msg, err := win.Copy(session.CopyUserToken)
	if err == nil || msg != "" {
		t.Fatalf("copy without a clipboard: %q, %v; want the tray's error", msg, err)
	}

	// When the window leaves, show starts a new one.
	win.Close()
	for deadline := time.Now().Add(5 * time.Second); f.started.Load() == 0; time.Sleep(10 * time.Millisecond) {
		f.srv.ShowWindow()
		if time.Now().After(deadline) {
			t.Fatal("show did not start a window after the first closed")
		}
	}
}

func TestTheWindowSeesTheTrayLeave(t *testing.T) {
	f := start(t, false)
	win, err := OpenWindow(f.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	select {
	case <-win.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the window did not see its tray close")
	}
}

func TestReloadReadsWhatAnotherProcessSaved(t *testing.T) {
	f := start(t, false)
	settings := f.s.State().Settings
	settings.ClipboardClearSeconds = 17
	if err := local.SaveSettings(f.dir, settings); err != nil {
		t.Fatal(err)
	}
	if err := f.client.Reload(); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.client.State(); st.Settings.ClipboardClearSeconds != 17 {
		t.Fatalf("after reload the tray has clear-after %d, want 17", st.Settings.ClipboardClearSeconds)
	}
}

func TestAGarbledRequestGetsAnError(t *testing.T) {
	f := start(t, false)
	conn, err := net.Dial("unix", filepath.Join(f.dir, "instance.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("{not json\n"))
	var resp response
	if err := readResponse(bufio.NewReader(conn), &resp); err != nil || resp.Error == nil {
		t.Fatalf("answer %+v (%v), want an error", resp, err)
	}
	if resp.Error.Message != "a request tokentray cannot read: invalid character 'n' looking for beginning of object key string" {
		t.Fatalf("error %q", resp.Error.Message)
	}
}
