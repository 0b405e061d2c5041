//go:build !windows && (android || !(linux || freebsd || openbsd || netbsd))

package tray

// platformIcon returns the PNG as it is: the macOS tray takes PNG.
func platformIcon(png []byte) []byte { return png }
