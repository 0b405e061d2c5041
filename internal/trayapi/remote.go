package trayapi

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"time"

	"tokentray/internal/session"
)

// ErrWindowOpen means a window is open already; the tray raised it.
var ErrWindowOpen = errors.New("the tokentray window is open already: it was brought up")

// Remote is a live view of the tray: the state it streams, and the actions of Client. The
// window uses it as its backend; `now --follow` reads its states.
type Remote struct {
	*Client
	conn net.Conn

	mu      sync.Mutex
	st      session.State
	subs    map[int]func(session.State)
	nextSub int

	raise func()
	done  chan struct{}
}

// OpenWindow connects as the window of dir's tray and returns once the first state arrived.
// raise is called (on a background goroutine) when the tray wants the window in front. It
// returns ErrWindowOpen if another window is connected, ErrNoTray if no tray runs.
func OpenWindow(dir string, raise func()) (*Remote, error) { return watch(dir, true, raise) }

// Follow connects to dir's tray to follow its state (`tokentray now --follow`); it returns once
// the first state arrived, or ErrNoTray if no tray runs.
func Follow(dir string) (*Remote, error) { return watch(dir, false, nil) }

func watch(dir string, window bool, raise func()) (*Remote, error) {
	return NewClient(dir).watch(window, raise)
}

// watch opens a watch. Connecting and the first state take at most answerTimeout; later states
// come when the tray has them, with no deadline.
func (c *Client) watch(window bool, raise func()) (*Remote, error) {
	conn, err := c.connect(time.Now().Add(answerTimeout))
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(conn)
	first, err := exchange(conn, r, request{Op: opWatch, Window: window})
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	switch {
	case first.AlreadyOpen:
		conn.Close()
		return nil, ErrWindowOpen
	case first.Error != nil:
		conn.Close()
		return nil, first.Error.err()
	case first.State == nil:
		conn.Close()
		return nil, errors.New("the running tokentray sent no state")
	}
	rem := &Remote{Client: c, conn: conn, st: first.State.sessionState(), subs: map[int]func(session.State){}, raise: raise, done: make(chan struct{})}
	go rem.follow(r)
	return rem, nil
}

func (rem *Remote) follow(r *bufio.Reader) {
	defer close(rem.done)
	for {
		var resp response
		if err := readResponse(r, &resp); err != nil {
			return
		}
		if resp.Raise && rem.raise != nil {
			rem.raise()
		}
		if resp.State == nil {
			continue
		}
		st := resp.State.sessionState()
		rem.mu.Lock()
		rem.st = st
		subs := make([]func(session.State), 0, len(rem.subs))
		for _, fn := range rem.subs {
			subs = append(subs, fn)
		}
		rem.mu.Unlock()
		for _, fn := range subs {
			fn(st)
		}
	}
}

// State returns the latest state the tray sent.
func (rem *Remote) State() session.State {
	rem.mu.Lock()
	defer rem.mu.Unlock()
	return rem.st
}

// Subscribe calls fn with every later state until unsubscribe is called.
func (rem *Remote) Subscribe(fn func(session.State)) (unsubscribe func()) {
	rem.mu.Lock()
	defer rem.mu.Unlock()
	id := rem.nextSub
	rem.nextSub++
	rem.subs[id] = fn
	return func() {
		rem.mu.Lock()
		defer rem.mu.Unlock()
		delete(rem.subs, id)
	}
}

// Done is closed when the tray went away (quit, crashed or killed).
func (rem *Remote) Done() <-chan struct{} { return rem.done }

// Close leaves the tray; it then knows no window is open.
func (rem *Remote) Close() error { return rem.conn.Close() }
