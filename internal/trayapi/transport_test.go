package trayapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

// rawRequest sends line (a newline is added) on a fresh connection to f's tray and returns the
// first answer.
func (f *fixture) rawRequest(t *testing.T, line string) response {
	t.Helper()
	conn, err := net.Dial("unix", filepath.Join(f.dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	var resp response
	if err := readResponse(bufio.NewReader(conn), &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

// padded is a state request exactly n bytes long.
func padded(n int) string {
	const head, tail = `{"v":1,"op":"state","secret":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

func TestARequestLineIsAtMost64KiB(t *testing.T) {
	f := start(t, false)
	if resp := f.rawRequest(t, padded(65536)); resp.Error != nil || resp.State == nil {
		t.Fatalf("a 65536-byte request: %+v, want the state", resp.Error)
	}
	resp := f.rawRequest(t, padded(65537))
	if resp.Error == nil || resp.Error.Message != "a request longer than 64 KiB: tokentray reads no more of it" {
		t.Fatalf("a 65537-byte request: %+v, want the too-long error", resp.Error)
	}
}

func TestAClientThatNeverEndsItsLineIsCut(t *testing.T) {
	f := start(t, false)
	conn, err := net.Dial("unix", filepath.Join(f.dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte(`{"op":"state"`))
	// The tray's deadline is requestTimeout (5 s); this one only keeps a broken tray from
	// hanging the test.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, err := conn.Read(make([]byte, 1))
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read %d bytes, %v; want the tray to close the connection", n, err)
	}
}

// failingListener fails its first failures Accepts with EMFILE, as when the process is out of
// descriptors.
type failingListener struct {
	net.Listener
	failures atomic.Int32
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "unix", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

func TestAFailingAcceptIsRetriedAndLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}})))

	dir := shortDir(t)
	var failing *failingListener
	srv, err := listen(dir, func(dir string) (*listener, error) {
		l, err := listenUnix(filepath.Join(dir, socketName))
		if err != nil {
			return nil, err
		}
		failing = &failingListener{Listener: l.Listener}
		failing.failures.Store(5)
		l.Listener = failing
		return l, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Serve(stubTray{}, nil)
	if err := NewClient(dir).Reload(); err != nil {
		t.Fatalf("reload after 5 failed Accepts: %v", err)
	}
	if left := failing.failures.Load(); left >= 0 {
		t.Fatalf("%d failures left to inject, want all 5 used", left+1)
	}
	want := `level=WARN msg="tokentray: the socket takes no connection; retrying" socket=` + filepath.Join(dir, socketName) +
		` error="accept unix: accept4: too many open files"` + "\n" +
		`level=INFO msg="tokentray: the socket takes connections again" failures=5` + "\n"
	if logs.String() != want {
		t.Fatalf("log\n got %s\nwant %s", logs.String(), want)
	}
}

func TestOverTheCapTheTrayIsBusyButTheWindowGetsIn(t *testing.T) {
	f := start(t, false)
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range maxConns {
		c, err := net.Dial("unix", filepath.Join(f.dir, socketName))
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	// The idle connections hold their places until requestTimeout (5 s) cuts them.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		f.srv.mu.Lock()
		served := f.srv.served
		f.srv.mu.Unlock()
		if served == maxConns {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections served, want %d", served, maxConns)
		}
	}
	_, err := f.client.State()
	if !errors.Is(err, ErrBusy) || !Absent(err) {
		t.Fatalf("state over the cap: %v, want ErrBusy", err)
	}
	if err.Error() != "tokentray is busy with too many connections (64): close some (tokentray now --follow?) or try again" {
		t.Fatalf("busy message %q", err)
	}
	if _, err := Follow(f.dir); !errors.Is(err, ErrBusy) {
		t.Fatalf("a follow over the cap: %v, want ErrBusy", err)
	}
	win, err := OpenWindow(f.dir, nil)
	if err != nil {
		t.Fatalf("the window over the cap: %v", err)
	}
	win.Close()
	for _, c := range idle {
		c.Close()
	}
	idle = nil
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, err := f.client.State()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state after the idle connections closed: %v", err)
		}
	}
}

func TestAClientOfAnotherUserIsRefused(t *testing.T) {
	dir := shortDir(t)
	srv, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The test runs as one user: the tray is told it belongs to another, the real peer
	// credentials of the connection are read and compared.
	srv.ln.admit = admitUser(os.Getuid() + 1)
	srv.Serve(stubTray{}, nil)
	_, err = NewClient(dir).State()
	want := "refused: user " + strconv.Itoa(os.Getuid()) + " may not use the tokentray of user " + strconv.Itoa(os.Getuid()+1)
	if err == nil || err.Error() != want || Absent(err) {
		t.Fatalf("state from another user: %v, want %q", err, want)
	}
}

func TestATraySocketOfAnotherUserIsRefused(t *testing.T) {
	f := start(t, false)
	c := NewClient(f.dir)
	c.uid = os.Getuid() + 1
	_, err := c.Token(false, 0)
	sock := filepath.Join(f.dir, socketName)
	want := "refused: " + sock + " is served by user " + strconv.Itoa(os.Getuid()) + ", not by you (user " + strconv.Itoa(os.Getuid()+1) +
		"): someone replaced tokentray's socket; quit tokentray, remove the socket file and start tokentray again"
	if err == nil || err.Error() != want || Absent(err) {
		t.Fatalf("token from another user's socket: %v\nwant %s", err, want)
	}
}

func TestAConfigDirOthersCanWriteIsRefused(t *testing.T) {
	dir := shortDir(t)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	want := dir + " is writable by other users (mode 0777): another user could replace tokentray's socket in it; run: chmod 700 " + dir
	if _, err := Listen(dir); err == nil || err.Error() != want {
		t.Fatalf("listen in a 0777 dir: %v\nwant %s", err, want)
	}
	if _, err := NewClient(dir).State(); err == nil || err.Error() != want || Absent(err) {
		t.Fatalf("state in a 0777 dir: %v\nwant %s", err, want)
	}
}

func TestALongConfigPathListensInTheRuntimeDir(t *testing.T) {
	runtimeDir := shortDir(t)
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	dir := filepath.Join(shortDir(t), strings.Repeat("d", 110))
	if _, err := NewClient(dir).State(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("state before a tray runs: %v, want ErrNoTray", err)
	}
	srv, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Serve(stubTray{}, nil)
	if err := NewClient(dir).Reload(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(runtimeDir)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "tokentray-") || len(entries[0].Name()) != len("tokentray-0123456789ab.sock") ||
		entries[0].Type()&os.ModeSocket == 0 {
		t.Fatalf("runtime dir holds %v, want one socket tokentray-<12 hex>.sock", entries)
	}
	srv.Close()
	if _, err := NewClient(dir).State(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("state after the tray closed: %v, want ErrNoTray", err)
	}

	t.Setenv("XDG_RUNTIME_DIR", "")
	_, err = Listen(dir)
	want := "the socket path " + filepath.Join(dir, socketName) + " is longer than the 107 bytes a Unix socket allows and $XDG_RUNTIME_DIR offers no shorter place: " +
		"set XDG_RUNTIME_DIR to a private directory with a short path, or use a shorter config directory (TOKENTRAY_CONFIG_DIR)"
	if err == nil || err.Error() != want {
		t.Fatalf("listen without XDG_RUNTIME_DIR: %v\nwant %s", err, want)
	}
	if _, err := NewClient(dir).State(); err == nil || err.Error() != want {
		t.Fatalf("state without XDG_RUNTIME_DIR: %v\nwant %s", err, want)
	}
}

func TestDialErrorsAreToldApart(t *testing.T) {
	// No socket: no tray.
	if _, err := NewClient(shortDir(t)).State(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("no socket: %v, want ErrNoTray", err)
	}
	// A socket whose owner never answers (a stopped tray: the kernel still queues the
	// connection): not answering, within the client's deadline.
	dir := shortDir(t)
	ln, err := net.Listen("unix", filepath.Join(dir, socketName))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	began := time.Now()
	_, err = NewClient(dir).Token(false, 0)
	if !errors.Is(err, ErrNotAnswering) || !Absent(err) {
		t.Fatalf("a socket nobody answers: %v, want ErrNotAnswering", err)
	}
	if _, err := Follow(dir); !errors.Is(err, ErrNotAnswering) {
		t.Fatalf("following a socket nobody answers: %v, want ErrNotAnswering", err)
	}
	if took := time.Since(began); took > time.Minute {
		t.Fatalf("two requests to a silent socket took %s", took) // a hang, not a speed check
	}
	// Anything else is named as it is, not taken for a running tray.
	file := filepath.Join(shortDir(t), "file")
	os.WriteFile(file, nil, 0o600)
	_, err = NewClient(filepath.Join(file, "dir")).State()
	if err == nil || Absent(err) || !strings.HasSuffix(err.Error(), "not a directory") {
		t.Fatalf("a config dir under a file: %v, want the error named", err)
	}
}

func TestTheTCPFallbackWantsTheSecret(t *testing.T) {
	dir := shortDir(t)
	srv, err := listen(dir, listenTCP)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Serve(stubTray{}, nil)
	client := &Client{dir: dir, dial: dialTCP, uid: os.Getuid()}
	if err := client.Reload(); err != nil {
		t.Fatalf("reload over TCP: %v", err)
	}
	file := filepath.Join(dir, endpointName)
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("endpoint file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	var ep endpoint
	data, _ := os.ReadFile(file)
	if err := json.Unmarshal(data, &ep); err != nil || !strings.HasPrefix(ep.Addr, "127.0.0.1:") {
		t.Fatalf("endpoint %s (%v)", data, err)
	}
	for _, wrong := range []string{strings.Repeat("0", secretLen), ep.Secret[:secretLen-1] + "!", ""} {
		conn, err := net.Dial("tcp", ep.Addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(15 * time.Second))
		conn.Write([]byte(wrong + "\n" + `{"op":"state"}` + "\n" + `{"op":"state"}` + "\n"))
		got, err := io.ReadAll(conn)
		conn.Close()
		if len(got) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) { // unread data makes the close a reset
			t.Fatalf("secret %q: the tray answered %q (%v); want the connection dropped", wrong, got, err)
		}
	}
	if err := client.Reload(); err != nil {
		t.Fatalf("reload after refused secrets: %v", err)
	}
	srv.Close()
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("endpoint file after Close: %v, want it removed", err)
	}
	if err := client.Reload(); !errors.Is(err, ErrNoTray) {
		t.Fatalf("reload after Close: %v, want ErrNoTray", err)
	}
}

func TestTheSocketRefusesWhatTheCommandRefuses(t *testing.T) {
	f := start(t, true)
	before := f.fake.Count("POST", "/api/token")
	for _, tc := range []struct{ line, want string }{
		{`{"v":1,"op":"token","min_valid_seconds":7200}`, "min_valid_seconds 7200: choose a duration from 1m to 50m (access tokens live 60 minutes)"},
		{`{"v":1,"op":"token","min_valid_seconds":-1}`, "min_valid_seconds -1: choose a duration from 1m to 50m (access tokens live 60 minutes)"},
		{`{"v":1,"op":"token","min_valid_seconds":9223372036854775807}`, "min_valid_seconds 9223372036854775807: choose a duration from 1m to 50m (access tokens live 60 minutes)"},
		{`{"v":1,"op":"rm -rf"}`, `unknown request "rm -rf": this tray is older than the command asking`},
	} {
		if resp := f.rawRequest(t, tc.line); resp.Error == nil || resp.Error.Message != tc.want || resp.Token != nil {
			t.Errorf("%s: %+v, want %q", tc.line, resp.Error, tc.want)
		}
	}
	if _, err := f.client.Token(false, 2*time.Hour); err == nil || err.Error() != "min_valid_seconds 7200: choose a duration from 1m to 50m (access tokens live 60 minutes)" {
		t.Errorf("Token(2h): %v", err)
	}
	if after := f.fake.Count("POST", "/api/token"); after != before {
		t.Fatalf("%d token-endpoint calls for refused requests, want 0", after-before)
	}
}

// stubTray answers from a fixed state, for tests of the transport alone.
type stubTray struct{}

func (stubTray) State() session.State                            { return session.State{HasSettings: true} }
func (stubTray) Subscribe(func(session.State)) func()            { return func() {} }
func (stubTray) Reload() error                                   { return nil }
func (stubTray) WakeNowPlaying()                                 {}
func (stubTray) SaveSettings(local.Settings, string, bool) error { return nil }
func (stubTray) ResetSettings() error                            { return nil }
func (stubTray) StartLogin() error                               { return nil }
func (stubTray) CancelLogin()                                    {}
func (stubTray) Copy(session.Copyable) (string, error)           { return "", nil }
func (stubTray) TestToken(context.Context) (string, error)       { return "", nil }
func (stubTray) Logout(bool) error                               { return nil }
func (stubTray) FreshToken(context.Context, bool, time.Duration) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: "stub", TokenType: "Bearer"}, nil
}
