//go:build !windows

package console

// AttachParent does nothing outside Windows.
func AttachParent() {}
