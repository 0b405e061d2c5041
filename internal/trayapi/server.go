package trayapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/oauth2"

	"tokentray/internal/backoff"
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
	// requestTimeout bounds reading a request line (and writing any line): a client that
	// connects and says nothing, or reads nothing, must not hold a goroutine for long.
	requestTimeout = 5 * time.Second
	// tokenTimeout bounds a token request, retries included (auth retries for up to ~15 s).
	tokenTimeout = time.Minute

	// maxConns is how many connections the tray serves at once. Each costs a goroutine, a
	// descriptor and up to maxRequestLine of buffer; a script gone wild must not exhaust them.
	maxConns = 64
	// maxTriage is how many connections over maxConns are read anyway, one request line each,
	// so that the window's watch still gets in; the others are told the tray is busy.
	maxTriage = 8
)

// ErrBusy means the tray had too many connections open to take one more.
var ErrBusy = errors.New("tokentray is busy with too many connections")

// acceptBackoff spaces retries of a failing Accept (out of descriptors, a connection aborted
// before it was taken): short, since the cause usually clears when a connection closes.
var acceptBackoff = backoff.Doubling{First: 5 * time.Millisecond, Max: time.Second}

// Server is the running tray's claim on the config directory and its socket.
type Server struct {
	lock *flock.Flock
	ln   *listener

	tray        Tray
	startWindow func()
	// ctx ends at Close, so that a quit does not wait for a token request's retries.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	window *watcher // the window's watch, nil while no window is open
	closed bool
	conns  map[net.Conn]struct{}
	served int // connections holding one of maxConns
	triage int // connections over maxConns being read for a window's watch
	wg     sync.WaitGroup
}

// Listen makes this process the tray for dir: it takes the lock and listens on the socket. If
// another tray holds dir, it returns ErrRunning.
func Listen(dir string) (*Server, error) { return listen(dir, platformListen) }

// listen is Listen on the transport open makes.
func listen(dir string, open func(dir string) (*listener, error)) (*Server, error) {
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
	ln, err := open(dir)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{lock: lock, ln: ln, conns: map[net.Conn]struct{}{}, ctx: ctx, cancel: cancel}, nil
}

// Serve answers requests from tray until Close. startWindow starts a window process; it is
// called on show when no window is connected.
func (s *Server) Serve(tray Tray, startWindow func()) {
	s.tray, s.startWindow = tray, startWindow
	s.wg.Add(1)
	go s.accept()
}

// acceptQuiet is how long Accept must go without failing before a new failure starts a new
// spell, logged again: a flood makes Accept fail and succeed in turns, one line a spell is enough.
const acceptQuiet = time.Minute

// accept takes connections until Close. A failing Accept (out of descriptors after many
// connections, an aborted connection) is retried after a backoff, for as long as the tray
// runs: the tray is useless without its socket.
func (s *Server) accept() {
	defer s.wg.Done()
	failures := 0 // in a row, for the backoff
	var lastFailure time.Time
	recoveryLogged := true
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return // closed by Close
			}
			failures++
			if time.Since(lastFailure) > acceptQuiet {
				slog.Warn("tokentray: the socket takes no connection; retrying", "socket", s.ln.Addr().String(), "error", err)
				recoveryLogged = false
			}
			lastFailure = time.Now()
			select {
			case <-time.After(acceptBackoff.Wait(failures)):
			case <-s.ctx.Done():
				return
			}
			continue
		}
		if !recoveryLogged {
			slog.Info("tokentray: the socket takes connections again", "failures", failures)
			recoveryLogged = true
		}
		failures = 0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(conn)
		}()
	}
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

// admission is how a connection came in: under maxConns, read over it for a window's watch, or
// refused.
type admission int

const (
	served admission = iota
	triaged
	refused
)

// track registers c for Close and gives it a place, if any is left.
func (s *Server) track(c net.Conn) admission {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := refused
	switch {
	case s.closed:
		return refused
	case s.served < maxConns:
		s.served++
		a = served
	case s.triage < maxTriage:
		s.triage++
		a = triaged
	default:
		return refused
	}
	s.conns[c] = struct{}{}
	return a
}

func (s *Server) untrack(c net.Conn, a admission) {
	s.mu.Lock()
	delete(s.conns, c)
	if a == triaged {
		s.triage--
	} else {
		s.served--
	}
	s.mu.Unlock()
	c.Close()
}

var busy = response{Error: &wireError{Message: fmt.Sprintf("%v (%d): close some (tokentray now --follow?) or try again", ErrBusy, maxConns), Kind: "busy"}}

func (s *Server) serveConn(conn net.Conn) {
	a := s.track(conn)
	if a == refused {
		writeLine(conn, busy)
		conn.Close()
		return
	}
	defer s.untrack(conn, a)
	if !s.ln.admit(conn) {
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestTimeout))
	r := bufio.NewReader(conn)
	line, err := readLine(r, maxRequestLine)
	if errors.Is(err, errLineTooLong) {
		writeLine(conn, response{Error: toWire(fmt.Errorf("a request longer than %d KiB: tokentray reads no more of it", maxRequestLine>>10))})
		return
	}
	if err != nil {
		return
	}
	conn.SetReadDeadline(time.Time{})
	req, err := decodeRequest(line)
	if err != nil {
		writeLine(conn, response{Error: toWire(err)})
		return
	}
	switch {
	case req.Op == opWatch && (a == served || req.Window):
		s.watch(conn, req.Window)
	case a == triaged:
		writeLine(conn, busy)
	default:
		writeLine(conn, s.answer(req))
	}
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
	return response{Error: toWire(fmt.Errorf("unknown request %q", req.Op))} // decodeRequest let it through
}

// nowWait bounds how long `now` waits for the first answer about what plays; the client waits
// that long and answerTimeout more.
const nowWait = 1500 * time.Millisecond

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
