//go:build linux || darwin

package trayapi

import "net"

// peerUID returns the user id of the process at the other end of a Unix socket: the client's
// on the tray's side, the tray's (who listened) on the client's. ok is false for connections
// without peer credentials (the TCP fallback, whose secret stands in for them).
func peerUID(conn net.Conn) (uid int, ok bool, err error) {
	uc, isUnix := conn.(*net.UnixConn)
	if !isUnix {
		return 0, false, nil
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = socketPeerUID(int(fd)) }); err != nil {
		return 0, false, err
	}
	if credErr != nil {
		return 0, false, credErr
	}
	return uid, true, nil
}
