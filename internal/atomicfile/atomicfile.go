// Package atomicfile keeps tokentray's own small files: it replaces them so that a reader, even
// in another process, sees either the old or the new content, and a killed process never leaves
// a half-written file; it reads them only if they are regular files of a bounded size.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFile replaces path with data (mode 0600): the data goes to a temporary file in the same
// directory, which is renamed over path and then synced, with the directory. It replaces only a
// regular file (or a symbolic link as such): a FIFO, a device or a directory there is a
// *NotRegularError, and nothing is written.
//
// The rename comes before the sync on purpose: the moment it returns, the new content is what
// every process reads, whatever happens to this one. That cuts the time in which a kill -9 after
// a PKCE refresh loses the rotated refresh token (in the file store) from ~8 ms (two fsyncs on
// this kind of machine) to well under one. The price is a power cut within those milliseconds:
// ext4 (the Linux default) flushes a file renamed over another before the rename commits; other
// filesystems may keep the old content or, rarely, an empty file. Windows cannot rename an open
// file, so there the sync comes first.
func WriteFile(path string, data []byte) (err error) {
	if err := replaceable(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // created with mode 0600
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	renamed := false
	defer func() {
		tmp.Close()
		if err != nil {
			if !renamed {
				os.Remove(tmp.Name())
			}
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		if err := tmp.Sync(); err != nil {
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), path) // NTFS journals the rename
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	renamed = true
	if err := tmp.Sync(); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
