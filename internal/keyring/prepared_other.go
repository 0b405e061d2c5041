//go:build !linux

package keyring

import "errors"

// Writer is only available on Linux (Secret Service); elsewhere Prepare fails and callers use Set.
type Writer struct{}

// Prepare fails outside Linux: Keychain and Credential Manager writes are one call already.
func Prepare(service, key string) (*Writer, error) {
	return nil, errors.New("a prepared keyring write needs the Secret Service")
}

// Set is never reached: Prepare returns no Writer.
func (w *Writer) Set(string) error { return errors.New("no prepared keyring write") }

// Close does nothing.
func (w *Writer) Close() {}
