package trayapi

import (
	"fmt"
	"net"
)

// checkClient refuses a client running as another user than want (the tray's). The socket is
// 0600 in a private directory already; this holds even if someone loosens those modes.
func checkClient(conn net.Conn, want int) error {
	uid, ok, err := peerUID(conn)
	switch {
	case err != nil:
		return fmt.Errorf("checking who is asking: %w", err)
	case ok && uid != want:
		return fmt.Errorf("refused: user %d may not use the tokentray of user %d", uid, want)
	}
	return nil
}

// checkServer refuses a socket served by another user than want (the client's): someone who
// could replace the socket would otherwise be handed this user's requests and answer with
// tokens of their own.
func checkServer(conn net.Conn, addr string, want int) error {
	uid, ok, err := peerUID(conn)
	switch {
	case err != nil:
		return fmt.Errorf("checking who serves %s: %w", addr, err)
	case ok && uid != want:
		return fmt.Errorf("refused: %s is served by user %d, not by you (user %d): someone replaced tokentray's socket; "+
			"quit tokentray, remove the socket file and start tokentray again", addr, uid, want)
	}
	return nil
}
