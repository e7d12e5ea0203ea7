package store

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
)

// PutBytes stages content held in memory (a generated record's files); of
// a StageDirect staging, it writes new content to its place at once.
// Unlike Put it hashes before writing, so content that is stored already
// under _artifacts/ is not written at all: bulk loads share most files
// between builds, and writing then deleting them was most of their disk
// work. Commit checks again, under the write transaction, and writes the
// content if it vanished in between. b must not change afterwards.
func (st *Staging) PutBytes(b []byte) (Staged, error) {
	sum := sha256.Sum256(b)
	s := Staged{SHA256: sum[:], Size: int64(len(b)), data: b}
	if st.direct {
		if err := st.store.putArtifact(s.SHA256, b); err != nil {
			return Staged{}, err
		}
		st.staged = append(st.staged, s)
		return s, nil
	}
	if _, err := os.Stat(st.store.ArtifactPath(s.SHA256)); err != nil {
		var werr error
		if s, werr = st.writeStaged(s); werr != nil {
			return Staged{}, werr
		}
	}
	st.staged = append(st.staged, s)
	return s, nil
}

// writeStaged writes the content of s, staged by PutBytes, into a new
// staging file.
func (st *Staging) writeStaged(s Staged) (Staged, error) {
	st.n++
	path := filepath.Join(st.dir, fmt.Sprintf("artifact-%d", st.n))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return Staged{}, fmt.Errorf("create staging file: %w", err)
	}
	_, err = f.Write(s.data)
	if err == nil && !st.store.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Staged{}, fmt.Errorf("write staging file: %w", err)
	}
	s.path = path
	return s, nil
}
