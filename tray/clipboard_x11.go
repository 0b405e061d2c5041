//go:build linux

package tray

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// OpenClipboard connects to the X server named by $DISPLAY (XWayland on Wayland) and returns
// the tray's clipboard. It speaks the X11 protocol in Go (jezek/xgb) rather than through
// libX11: a C clipboard library would need libX11's development files on every desktop it runs
// on, and would bring cgo back into the tray.
func OpenClipboard() (*Clipboard, error) {
	sel, err := openX11Selection()
	if err != nil {
		return nil, err
	}
	return &Clipboard{sel: sel}, nil
}

// x11Selection owns the CLIPBOARD selection from an unmapped window and answers paste
// requests from its event loop. Text is small (tokens, a .env), so INCR transfers are not needed.
type x11Selection struct {
	conn *xgb.Conn
	win  xproto.Window

	clipboard, utf8, targets, text, property xproto.Atom

	mu    sync.Mutex
	owned bool   // false once another client took the selection
	data  []byte // what tokentray offers while it owns the selection

	notify chan xproto.SelectionNotifyEvent // answers to Read's conversions
	readMu sync.Mutex                       // one Read at a time
}

// readTimeout bounds waiting for another client's clipboard content.
const readTimeout = time.Second

func openX11Selection() (*x11Selection, error) {
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, fmt.Errorf("no X display for the clipboard (%v): tokentray copies through X11, which desktops also offer under Wayland (XWayland)", err)
	}
	s := &x11Selection{conn: conn, notify: make(chan xproto.SelectionNotifyEvent, 1)}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	if s.win, err = xproto.NewWindowId(conn); err == nil {
		err = xproto.CreateWindowChecked(conn, screen.RootDepth, s.win, screen.Root, 0, 0, 1, 1, 0,
			xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check()
	}
	for _, a := range []struct {
		atom *xproto.Atom
		name string
	}{{&s.clipboard, "CLIPBOARD"}, {&s.utf8, "UTF8_STRING"}, {&s.targets, "TARGETS"}, {&s.text, "TEXT"}, {&s.property, "TOKENTRAY_CLIPBOARD"}} {
		if err != nil {
			break
		}
		var reply *xproto.InternAtomReply
		if reply, err = xproto.InternAtom(conn, false, uint16(len(a.name)), a.name).Reply(); err == nil {
			*a.atom = reply.Atom
		}
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("setting up the X11 clipboard: %w", err)
	}
	go s.serve()
	return s, nil
}

func (s *x11Selection) Write(text string) error {
	s.mu.Lock()
	s.data, s.owned = []byte(text), true
	s.mu.Unlock()
	xproto.SetSelectionOwner(s.conn, s.win, s.clipboard, xproto.TimeCurrentTime)
	owner, err := xproto.GetSelectionOwner(s.conn, s.clipboard).Reply()
	if err != nil {
		return fmt.Errorf("the X server did not answer: %w", err)
	}
	if owner.Owner != s.win {
		return errors.New("the X server did not give tokentray the clipboard")
	}
	return nil
}

func (s *x11Selection) Read() (string, error) {
	s.mu.Lock()
	owned, data := s.owned, string(s.data)
	s.mu.Unlock()
	if owned {
		return data, nil
	}
	s.readMu.Lock()
	defer s.readMu.Unlock()
	xproto.ConvertSelection(s.conn, s.win, s.clipboard, s.utf8, s.property, xproto.TimeCurrentTime)
	select {
	case ev := <-s.notify:
		if ev.Property == xproto.AtomNone {
			return "", nil // the owner has no text
		}
		reply, err := xproto.GetProperty(s.conn, true, s.win, s.property, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
		if err != nil {
			return "", err
		}
		return string(reply.Value), nil
	case <-time.After(readTimeout):
		return "", errors.New("the clipboard's owner did not answer")
	}
}

// serve answers the X server's events until the connection closes.
func (s *x11Selection) serve() {
	for {
		ev, xerr := s.conn.WaitForEvent()
		switch e := ev.(type) {
		case nil:
			if xerr == nil {
				return // connection closed
			}
		case xproto.SelectionRequestEvent:
			s.answer(e)
		case xproto.SelectionClearEvent:
			s.mu.Lock()
			s.owned, s.data = false, nil
			s.mu.Unlock()
		case xproto.SelectionNotifyEvent:
			select {
			case s.notify <- e:
			default: // nobody waits any more (a Read timed out)
			}
		}
	}
}

// answer sends another client the text it asked to paste, or the list of formats offered.
func (s *x11Selection) answer(e xproto.SelectionRequestEvent) {
	s.mu.Lock()
	owned, data := s.owned, s.data
	s.mu.Unlock()
	property := e.Property
	if property == xproto.AtomNone {
		property = e.Target // an obsolete client: ICCCM says use the target as the property
	}
	switch {
	case !owned:
		property = xproto.AtomNone
	case e.Target == s.targets:
		atoms := make([]byte, 0, 16)
		for _, a := range []xproto.Atom{s.targets, s.utf8, s.text, xproto.AtomString} {
			atoms = append(atoms, byte(a), byte(a>>8), byte(a>>16), byte(a>>24))
		}
		xproto.ChangeProperty(s.conn, xproto.PropModeReplace, e.Requestor, property, xproto.AtomAtom, 32, uint32(len(atoms)/4), atoms)
	case e.Target == s.utf8 || e.Target == s.text || e.Target == xproto.AtomString:
		xproto.ChangeProperty(s.conn, xproto.PropModeReplace, e.Requestor, property, e.Target, 8, uint32(len(data)), data)
	default:
		property = xproto.AtomNone
	}
	reply := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: property}
	xproto.SendEvent(s.conn, false, e.Requestor, 0, string(reply.Bytes()))
}
