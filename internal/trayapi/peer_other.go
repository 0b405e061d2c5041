//go:build !linux && !darwin

package trayapi

import "net"

// peerUID offers no peer credentials where the platform has no portable way to read them
// (Windows, whose config directory is private to the user by its ACL): ok is false.
func peerUID(net.Conn) (uid int, ok bool, err error) { return 0, false, nil }
