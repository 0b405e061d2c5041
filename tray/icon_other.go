//go:build !windows

package tray

// platformIcon returns the PNG as it is: the Linux and macOS trays take PNG.
func platformIcon(png []byte) []byte { return png }
