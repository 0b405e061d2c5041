//go:build !windows

package trayapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// platformListen listens on the Unix socket of dir.
func platformListen(dir string) (*listener, error) {
	sock, err := socketPath(dir)
	if err != nil {
		return nil, err
	}
	if err := checkPrivateDir(filepath.Dir(sock)); err != nil {
		return nil, err
	}
	return listenUnix(sock)
}

// platformDial connects to the Unix socket of dir.
func platformDial(dir string, deadline time.Time) (net.Conn, error) { return dialUnix(dir, deadline) }

// noTrayError reports a dial error that means no tray listens: no socket file, or one that a
// crashed tray left behind.
func noTrayError(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}

// checkPrivateDir refuses a socket directory that another user could write to (group or world
// writable, or not owned by this user): they could put their own socket in the tray's place.
// A directory that does not exist yet holds no socket, which dialing then reports.
func checkPrivateDir(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", dir, err)
	}
	uid := os.Getuid()
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return fmt.Errorf("%s belongs to user %d, not to you (user %d): another user could replace tokentray's socket in it; "+
			"use a directory of your own (TOKENTRAY_CONFIG_DIR)", dir, st.Uid, uid)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s is writable by other users (mode %04o): another user could replace tokentray's socket in it; run: chmod 700 %s",
			dir, perm, dir)
	}
	return nil
}
