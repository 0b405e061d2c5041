package trayapi

import (
	"bufio"
	"net"

	"tokentray/internal/session"
)

// watcher streams states to one client. Only the latest state matters, so a slow client gets
// the newest one instead of a backlog, and the session never waits for it.
type watcher struct {
	latest chan session.State
	raises chan struct{}
}

func newWatcher() *watcher {
	return &watcher{latest: make(chan session.State, 1), raises: make(chan struct{}, 1)}
}

func (w *watcher) offer(st session.State) {
	for {
		select {
		case w.latest <- st:
			return
		default:
			select {
			case <-w.latest: // drop the older state
			default:
			}
		}
	}
}

func (w *watcher) raise() {
	select {
	case w.raises <- struct{}{}:
	default: // a raise is already pending
	}
}

// watch serves a watch connection until the client or the server closes it.
func (s *Server) watch(conn net.Conn, isWindow bool) {
	w := newWatcher()
	if isWindow {
		s.mu.Lock()
		other := s.window
		if other == nil {
			s.window = w
		}
		s.mu.Unlock()
		if other != nil {
			other.raise()
			writeLine(conn, response{AlreadyOpen: true})
			return
		}
		defer func() {
			s.mu.Lock()
			if s.window == w {
				s.window = nil
			}
			s.mu.Unlock()
		}()
	}
	unsubscribe := s.tray.Subscribe(w.offer)
	defer unsubscribe()
	w.offer(s.tray.State())
	// Whoever watches wants to see what plays now: the window opened, or a status bar started.
	s.tray.WakeNowPlaying()

	// The client sends nothing more; a read returns when it closes (or the window is killed).
	gone := make(chan struct{})
	go func() {
		bufio.NewReader(conn).ReadByte()
		close(gone)
	}()
	for {
		var r response
		select {
		case <-gone:
			return
		case st := <-w.latest:
			r.State = wireStateOf(st)
		case <-w.raises:
			r.Raise = true
		}
		if writeLine(conn, r) != nil {
			return
		}
	}
}
