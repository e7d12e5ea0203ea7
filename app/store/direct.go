package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StageDirect is Stage for bulk loads that are rerun rather than recovered
// after a crash (builder-db generate): console and script are written
// straight into <job>/<uuid>/, and content not stored yet straight to its
// place under _artifacts/, so that a commit only writes rows. Staging
// first and moving at commit (and removing the staging directory after
// it) made the single writer spend more time on files than on the
// database. A crash leaves files no row references; rerunning the load
// references them again, and verify-data-dir finds them otherwise.
//
// An existing directory is replaced when orphaned reports true (no stored
// build has this UUID: an interrupted run left it); otherwise StageDirect
// fails with ErrStagingExists and leaves it alone. job must be a valid job
// name. Two loads of the same records into one directory at the same time
// are not supported: between that check and the commit, the other could
// store the build whose directory this one writes.
func (s *Store) StageDirect(job, uuid string, orphaned func() (bool, error)) (*Staging, error) {
	dir := s.BuildDir(job, uuid)
	err := os.Mkdir(dir, 0o755)
	switch {
	case errors.Is(err, fs.ErrNotExist): // the job's first build
		if err = os.MkdirAll(filepath.Dir(dir), 0o755); err == nil {
			err = os.Mkdir(dir, 0o755)
		}
	case errors.Is(err, fs.ErrExist):
		var ok bool
		if ok, err = orphaned(); err == nil && !ok {
			return nil, ErrStagingExists
		}
		if err == nil {
			if err = os.RemoveAll(dir); err == nil {
				err = os.Mkdir(dir, 0o755)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create build directory: %w", err)
	}
	return &Staging{store: s, dir: dir, direct: true}, nil
}

// putArtifact writes content held in memory to its content address unless
// a file is there: through a temporary file and a rename, so that a reader
// or a concurrent writer of the same content never sees a part.
func (s *Store) putArtifact(sha, data []byte) error {
	dst := s.ArtifactPath(sha)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	err := WriteAtomic(dst, data, 0o644, !s.NoSync)
	if errors.Is(err, fs.ErrNotExist) { // the first file of its _artifacts/xx/
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			err = WriteAtomic(dst, data, 0o644, !s.NoSync)
		}
	}
	if err != nil {
		return fmt.Errorf("store artifact: %w", err)
	}
	return nil
}

// commitDirect is Commit of a StageDirect staging: the files are in place
// already, but an artifact that was stored when PutBytes looked may have
// been removed since (a vacuum of another process), so each is checked
// again under the write transaction and written if missing.
func (st *Staging) commitDirect(staged []Staged) error {
	for _, s := range staged {
		if err := st.store.putArtifact(s.SHA256, s.data); err != nil {
			return err
		}
	}
	if !st.store.NoSync {
		syncDir(st.dir)
		syncDir(filepath.Dir(st.dir))
	}
	return nil
}
