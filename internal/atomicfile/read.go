package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// NotRegularError is a path that holds something other than a regular file: a symbolic link, a
// directory, a FIFO, a device or a socket. Opening a FIFO or a device could block or never end,
// and replacing one would destroy what is not tokentray's, so neither is done.
type NotRegularError struct {
	Path string
	Mode fs.FileMode // what is there
}

func (e *NotRegularError) Error() string { return e.Path + " " + e.Problem() }

// Problem says what is there, as in "settings.json is a directory, not a file".
func (e *NotRegularError) Problem() string {
	switch t := e.Mode.Type(); {
	case t&fs.ModeSymlink != 0:
		return "is a symbolic link; tokentray uses only a regular file there"
	case t&fs.ModeDir != 0:
		return "is a directory, not a file"
	case t&fs.ModeNamedPipe != 0:
		return "is not a regular file but a FIFO (named pipe)"
	case t&fs.ModeCharDevice != 0:
		return "is not a regular file but a character device"
	case t&fs.ModeDevice != 0:
		return "is not a regular file but a block device"
	case t&fs.ModeSocket != 0:
		return "is not a regular file but a socket"
	}
	return fmt.Sprintf("is not a regular file (%v)", e.Mode.Type())
}

// TooLargeError is a file larger than its reader accepts.
type TooLargeError struct {
	Path        string
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes; at most %d are read", e.Path, e.Size, e.Limit)
}

// ReadFile reads the regular file at path, of at most limit bytes: the one home of "read a
// small file of tokentray's safely". Whatever else is there is refused without being opened (a
// *NotRegularError), a larger file without being read (a *TooLargeError); a missing file gives
// an error matching fs.ErrNotExist.
func ReadFile(path string, limit int64) ([]byte, error) {
	seen, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !seen.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: seen.Mode()}
	}
	if seen.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: seen.Size(), Limit: limit}
	}
	// O_NONBLOCK: should a FIFO be swapped in after Lstat, opening it must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || !os.SameFile(info, seen) {
		return nil, fmt.Errorf("%s changed while tokentray read it; try again", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// replaceable refuses a path WriteFile must not replace: anything but a regular file, a
// symbolic link (the rename replaces the link itself, never what it points to) or nothing.
func replaceable(path string) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case info.Mode().IsRegular() || info.Mode()&fs.ModeSymlink != 0:
		return nil
	}
	return &NotRegularError{Path: path, Mode: info.Mode()}
}
