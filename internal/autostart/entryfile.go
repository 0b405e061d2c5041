//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// On Linux and macOS the entry is one file: entryPath says where, entryContent what it holds.

func enable(program string) error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	content, err := entryContent(program)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating the directory of the autostart entry: %w", err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("writing the autostart entry: %w", err)
	}
	return nil
}

func disable() error {
	path, err := entryPath()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the autostart entry: %w", err)
	}
	return nil
}

// readEntry returns the entry's path and content; content is nil when there is no entry.
func readEntry() (path string, content []byte, err error) {
	path, err = entryPath()
	if err != nil {
		return "", nil, err
	}
	content, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("reading the autostart entry: %w", err)
	}
	return path, content, nil
}
