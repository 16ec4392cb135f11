//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package memstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes the data directory's lock, an flock on its LOCK file, so
// that two processes never append to the same log. The kernel lets go of
// it when the process ends, however it ends.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("memstore: data directory %s is in use: another store holds %s", dir, path)
		}
		return nil, fmt.Errorf("memstore: locking %s: %w", path, err)
	}
	return f, nil
}

func unlockDir(f *os.File) error {
	return f.Close() // closing the file releases the lock
}
