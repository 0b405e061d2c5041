package local

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// lockFileRetryDelay is how often LockFile retries a busy lock; holders keep it for milliseconds
// (one token refresh or one file update).
const lockFileRetryDelay = 20 * time.Millisecond

// LockFile takes an exclusive lock on the file at path, creating it (0600, directory 0700) if
// needed, and waits until the lock is free or ctx is done. It excludes other processes (the tray
// and the CLI refreshing the same token) as well as other LockFile calls in this process. The
// lock file is never deleted: deleting it would let two holders lock different files.
func LockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := makePrivateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	lock := flock.New(path, flock.SetPermissions(0o600))
	locked, err := lock.TryLockContext(ctx, lockFileRetryDelay)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for the lock %s (held by another tokentray process?): %w", path, err)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if !locked { // TryLockContext reports failure with an error; this guards a library change
		return nil, fmt.Errorf("locking %s: the lock stayed busy", path)
	}
	var once sync.Once
	return func() {
		// Unlock also closes the descriptor. If unlocking failed, the process exit would
		// release the lock anyway, and the caller could not do better than that.
		once.Do(func() { _ = lock.Unlock() })
	}, nil
}
