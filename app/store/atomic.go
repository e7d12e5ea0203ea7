package store

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteAtomic replaces the file at path by data with mode perm, through a
// temporary file in the same directory and a rename: a reader, or a crash,
// sees the old file or the new one, never a part, and concurrent writers of
// the same content cannot tear it. durable also syncs the file and its
// directory, for what cannot be made again (a signing key); a cache that
// can be redrawn skips that.
func WriteAtomic(path string, data []byte, perm fs.FileMode, durable bool) error {
	dir, name := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // CreateTemp makes files private
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if durable {
		if d, err := os.Open(dir); err == nil {
			d.Sync() // the rename itself; best effort
			d.Close()
		}
	}
	return nil
}
