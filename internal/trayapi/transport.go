package trayapi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrNotAnswering means a tray holds the socket but did not answer in time (stopped, hung or
// closing the connection): the caller works on its own, as without a tray.
var ErrNotAnswering = errors.New("the running tokentray did not answer")

// Absent reports whether err means the caller gets no answer from a tray and should work on its
// own: none runs, it does not answer in time, or it is busy with too many connections.
func Absent(err error) bool {
	return errors.Is(err, ErrNoTray) || errors.Is(err, ErrNotAnswering) || errors.Is(err, ErrBusy)
}

// listener is where the tray takes connections, with its transport's check of each one.
type listener struct {
	net.Listener
	// admit runs on the connection's own goroutine before its request is read: it reports
	// whether the peer may talk to this tray, having told it why not where that is safe.
	admit func(net.Conn) bool
}

// dialFunc connects to the tray of dir by deadline, or says why it cannot (ErrNoTray,
// ErrNotAnswering or the error as it is).
type dialFunc func(dir string, deadline time.Time) (net.Conn, error)

// maxSocketPath is the longest socket path the platform takes: sun_path (108 bytes on Linux
// and Windows, 104 on the BSDs and macOS) less its terminating NUL.
var maxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// socketPath is where the tray of dir listens: instance.sock in dir, or, when that path is too
// long for a Unix socket, a name derived from dir in $XDG_RUNTIME_DIR (private to the user).
// The tray and its clients both call it, so they agree.
func socketPath(dir string) (string, error) {
	p := filepath.Join(dir, socketName)
	if len(p) <= maxSocketPath {
		return p, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	if runtimeDir := os.Getenv("XDG_RUNTIME_DIR"); runtimeDir != "" {
		if short := filepath.Join(runtimeDir, fmt.Sprintf("tokentray-%x.sock", sum[:6])); len(short) <= maxSocketPath {
			return short, nil
		}
	}
	return "", fmt.Errorf("the socket path %s is longer than the %d bytes a Unix socket allows and $XDG_RUNTIME_DIR offers no shorter place: "+
		"set XDG_RUNTIME_DIR to a private directory with a short path, or use a shorter config directory (TOKENTRAY_CONFIG_DIR)", p, maxSocketPath)
}

// listenUnix listens on the Unix socket sock (a socket file left by a crashed tray is replaced:
// the caller holds the instance lock) and makes it the user's alone.
func listenUnix(sock string) (*listener, error) {
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", sock, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restricting %s to you: %w", sock, err)
	}
	return &listener{Listener: ln, admit: admitUser(os.Getuid())}, nil
}

// admitUser admits the clients of user uid, and tells others they are refused.
func admitUser(uid int) func(net.Conn) bool {
	return func(conn net.Conn) bool {
		if err := checkClient(conn, uid); err != nil {
			writeLine(conn, response{Error: toWire(err)})
			return false
		}
		return true
	}
}

// dialUnix connects to the tray's Unix socket in dir by deadline.
func dialUnix(dir string, deadline time.Time) (net.Conn, error) {
	sock, err := socketPath(dir)
	if err != nil {
		return nil, err
	}
	if err := checkPrivateDir(filepath.Dir(sock)); err != nil {
		return nil, err
	}
	conn, err := (&net.Dialer{Deadline: deadline}).Dial("unix", sock)
	if err != nil {
		return nil, classifyDialError(sock, err)
	}
	return conn, nil
}

// classifyDialError tells no tray from a tray that does not answer from anything else, which is
// named as it is.
func classifyDialError(addr string, err error) error {
	switch {
	case noTrayError(err):
		return ErrNoTray
	case isTimeout(err):
		return fmt.Errorf("%w (connecting to %s: %v)", ErrNotAnswering, addr, err)
	}
	return fmt.Errorf("connecting to tokentray's socket %s: %w", addr, err)
}

// isTimeout reports a deadline that passed, or a Unix socket whose backlog is full (connect
// says EAGAIN at once): either way the tray is not taking connections.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.EAGAIN) || (errors.As(err, &ne) && ne.Timeout())
}
