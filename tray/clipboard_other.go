//go:build !linux

package tray

import (
	"golang.design/x/clipboard"
)

// OpenClipboard returns the tray's clipboard on Windows and macOS, through
// golang.design/x/clipboard (the platforms' own clipboard APIs).
func OpenClipboard() (*Clipboard, error) {
	if err := clipboard.Init(); err != nil {
		return nil, err
	}
	return &Clipboard{sel: systemSelection{}}, nil
}

type systemSelection struct{}

func (systemSelection) Write(text string) error {
	clipboard.Write(clipboard.FmtText, []byte(text))
	return nil
}

func (systemSelection) Read() (string, error) { return string(clipboard.Read(clipboard.FmtText)), nil }
