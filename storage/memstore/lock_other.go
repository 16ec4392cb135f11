//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package memstore

import (
	"os"
	"path/filepath"
)

// lockDir creates the data directory's LOCK file. On this system it takes
// no lock: two processes must not open the same directory.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
}

func unlockDir(f *os.File) error { return f.Close() }
