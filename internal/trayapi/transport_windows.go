package trayapi

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// platformListen listens on the Unix socket of dir where Windows has AF_UNIX (10 1803 and
// later), else on a loopback port guarded by a secret (Wine, older Windows).
func platformListen(dir string) (*listener, error) {
	sock, err := socketPath(dir)
	if err == nil {
		var l *listener
		if l, err = listenUnix(sock); err == nil {
			os.Remove(filepath.Join(dir, endpointName)) // left by a crashed tray on TCP
			return l, nil
		}
	}
	return listenTCP(dir)
}

// platformDial connects the way the tray listens: the endpoint file exists only while a tray
// listens on TCP (or after one crashed, which the dial then reports as no tray).
func platformDial(dir string, deadline time.Time) (net.Conn, error) {
	if _, err := os.Stat(filepath.Join(dir, endpointName)); err == nil {
		return dialTCP(dir, deadline)
	}
	if _, err := socketPath(dir); err != nil {
		return nil, ErrNoTray // a tray would have listened on TCP
	}
	return dialUnix(dir, deadline)
}

// noTrayError reports a dial error that means no tray listens: no socket file, a refused
// connection, or a system without AF_UNIX (where a tray would have written its endpoint file).
func noTrayError(err error) bool {
	for _, no := range []error{fs.ErrNotExist, syscall.ENOENT, syscall.ECONNREFUSED, windows.WSAECONNREFUSED,
		windows.ERROR_FILE_NOT_FOUND, windows.ERROR_PATH_NOT_FOUND, windows.WSAEAFNOSUPPORT} {
		if errors.Is(err, no) {
			return true
		}
	}
	return false
}

// checkPrivateDir trusts the config directory's ACL, private to the user under %AppData%.
func checkPrivateDir(string) error { return nil }
