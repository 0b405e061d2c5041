package trayapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/oauth2"

	"tokentray/internal/local"
	"tokentray/internal/session"
)

// ErrRunning means another tray holds the config directory.
var ErrRunning = errors.New("tokentray is already running")

// Tray is what the server answers from: the tray's session.
type Tray interface {
	State() session.State
	Subscribe(func(session.State)) (unsubscribe func())
	Reload() error
	// WakeNowPlaying asks the Web API what plays now, within the budget.
	WakeNowPlaying()
	FreshToken(ctx context.Context, app bool, minValid time.Duration) (*oauth2.Token, error)
	SaveSettings(s local.Settings, secret string, secretChanged bool) error
	ResetSettings() error
	StartLogin() error
	CancelLogin()
	Copy(what session.Copyable) (string, error)
	TestToken(ctx context.Context) (string, error)
	Logout(all bool) error
}

const (
	lockName   = "instance.lock"
	socketName = "instance.sock"
	// requestTimeout bounds reading a request line: a client that connects and says nothing
	// must not hold a goroutine for long.
	requestTimeout = 5 * time.Second
	// tokenTimeout bounds a token request, retries included (auth retries for up to ~15 s).
	tokenTimeout = time.Minute
)

// Server is the running tray's claim on the config directory and its socket.
type Server struct {
	lock *flock.Flock
	ln   net.Listener

	tray        Tray
	startWindow func()
	// ctx ends at Close, so that a quit does not wait for a token request's retries.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	window *watcher // the window's watch, nil while no window is open
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

// Listen makes this process the tray for dir: it takes the lock and listens on the socket. If
// another tray holds dir, it returns ErrRunning.
func Listen(dir string) (*Server, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the config directory: %w", err)
	}
	lock := flock.New(filepath.Join(dir, lockName))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("checking for a running tokentray (%s): %w", lock.Path(), err)
	}
	if !locked {
		return nil, ErrRunning
	}
	sock := filepath.Join(dir, socketName)
	// Holding the lock, any socket file left is from a tray that crashed.
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("listening on %s: %w", sock, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		lock.Unlock()
		return nil, fmt.Errorf("restricting %s to you: %w", sock, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{lock: lock, ln: ln, conns: map[net.Conn]struct{}{}, ctx: ctx, cancel: cancel}, nil
}

// Serve answers requests from tray until Close. startWindow starts a window process; it is
// called on show when no window is connected.
func (s *Server) Serve(tray Tray, startWindow func()) {
	s.tray, s.startWindow = tray, startWindow
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := s.ln.Accept()
			if err != nil {
				return // closed by Close
			}
			if !s.track(conn) {
				conn.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.untrack(conn)
				s.handle(conn)
			}()
		}
	}()
}

// ShowWindow raises the open window, or starts one; the window shows what plays, so the tray
// asks Spotify now.
func (s *Server) ShowWindow() {
	if s.tray != nil {
		s.tray.WakeNowPlaying()
	}
	s.mu.Lock()
	w := s.window
	s.mu.Unlock()
	if w != nil {
		w.raise()
		return
	}
	if s.startWindow != nil {
		s.startWindow()
	}
}

// Close stops serving, ends every connection (a window sees its tray leave and closes) and
// gives the directory up.
func (s *Server) Close() {
	s.cancel()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
	s.lock.Unlock()
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *Server) handle(conn net.Conn) {
	if err := checkPeer(conn); err != nil {
		writeLine(conn, response{Error: toWire(err)})
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestTimeout))
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return
	}
	conn.SetReadDeadline(time.Time{})
	var req request
	if err := decodeRequest(line, &req); err != nil {
		writeLine(conn, response{Error: toWire(err)})
		return
	}
	if req.Op == opWatch {
		s.watch(conn, req.Window)
		return
	}
	writeLine(conn, s.answer(req))
}

// answer runs one request against the tray.
func (s *Server) answer(req request) response {
	switch req.Op {
	case opShow:
		s.ShowWindow()
		return response{}
	case opReload:
		return response{Error: toWire(s.tray.Reload())}
	case opToken:
		ctx, cancel := context.WithTimeout(s.ctx, tokenTimeout)
		defer cancel()
		tok, err := s.tray.FreshToken(ctx, req.App, time.Duration(req.MinValidSeconds)*time.Second)
		if err != nil {
			return response{Error: toWire(err)}
		}
		t := TokenFrom(tok)
		return response{Token: &t}
	case opState:
		return response{State: wireStateOf(s.tray.State())}
	case opNow:
		return response{State: wireStateOf(s.nowPlaying())}
	case opSaveSettings:
		if req.Settings == nil {
			return response{Error: toWire(errors.New("save-settings without settings"))}
		}
		return response{Error: toWire(s.tray.SaveSettings(*req.Settings, req.Secret, req.SecretChanged))}
	case opReset:
		return response{Error: toWire(s.tray.ResetSettings())}
	case opLogin:
		return response{Error: toWire(s.tray.StartLogin())}
	case opCancelLogin:
		s.tray.CancelLogin()
		return response{}
	case opCopy:
		msg, err := s.tray.Copy(req.Copy)
		return response{Message: msg, Error: toWire(err)}
	case opTestToken:
		ctx, cancel := context.WithTimeout(s.ctx, tokenTimeout)
		defer cancel()
		msg, err := s.tray.TestToken(ctx)
		return response{Message: msg, Error: toWire(err)}
	case opLogout:
		return response{Error: toWire(s.tray.Logout(req.All))}
	}
	return response{Error: toWire(fmt.Errorf("unknown request %q: this tray is older than the command asking", req.Op))}
}

// nowWait bounds how long `now` waits for the first answer about what plays.
const nowWait = 5 * time.Second

// nowPlaying returns the state once it says what plays. A tray that has not asked Spotify yet
// (just started or logged in) is asked now; the answer is waited for up to nowWait.
func (s *Server) nowPlaying() session.State {
	known := func(st session.State) bool { return st.NowPlaying.Label != "" || st.Authorization != session.LoggedIn }
	if st := s.tray.State(); known(st) {
		return st
	}
	ready := make(chan session.State, 1)
	unsubscribe := s.tray.Subscribe(func(st session.State) {
		if known(st) {
			select {
			case ready <- st:
			default:
			}
		}
	})
	defer unsubscribe()
	s.tray.WakeNowPlaying()
	select {
	case st := <-ready:
		return st
	case <-time.After(nowWait):
		return s.tray.State()
	case <-s.ctx.Done():
		return s.tray.State()
	}
}

func writeLine(conn net.Conn, r response) error {
	r.V = protocolVersion
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	conn.SetWriteDeadline(time.Now().Add(requestTimeout))
	_, err = conn.Write(append(data, '\n'))
	return err
}
