package store

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// manifestName is written into a staging directory just before its files
// are moved into place, so that a crash between the moves and the
// database commit can be undone precisely at the next start.
const manifestName = "commit-manifest"

func (st *Staging) writeManifest(job string, staged []Staged) error {
	var b strings.Builder
	b.WriteString(job + "\n")
	for _, s := range staged {
		b.WriteString(hex.EncodeToString(s.SHA256) + "\n")
	}
	return st.writeDurable(manifestName, b.String())
}

func (st *Staging) writeDurable(name, content string) error {
	f, err := os.Create(filepath.Join(st.dir, name))
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = f.WriteString(content)
	if err == nil && !st.store.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Leftover is an interrupted upload found in _staging at start.
type Leftover struct {
	Name   string   // the staging directory's name: the build's UUID
	Job    string   // empty when the upload never reached its commit
	Hashes [][]byte // artifacts that may have been moved into _artifacts
	path   string   // the staging entry
}

// Leftover describes this staging directory for cleanLeftovers-style undo
// after a failed commit: its build directory and every staged hash.
func (st *Staging) Leftover(job string) Leftover {
	l := Leftover{Name: filepath.Base(st.dir), Job: job, path: st.dir}
	for _, s := range st.staged {
		l.Hashes = append(l.Hashes, s.SHA256)
	}
	return l
}

// Leftovers lists the entries of this node's _staging/<node>/: those of
// other nodes may be uploads in progress.
func (s *Store) Leftovers() ([]Leftover, error) {
	dir := s.stagingDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list staging: %w", err)
	}
	out := make([]Leftover, 0, len(entries))
	for _, e := range entries {
		out = append(out, readLeftover(filepath.Join(dir, e.Name())))
	}
	return out, nil
}

// readLeftover reads the staging entry at path and its commit manifest,
// if it has one.
func readLeftover(path string) Leftover {
	l := Leftover{Name: filepath.Base(path), path: path}
	if f, err := os.Open(filepath.Join(path, manifestName)); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 4096), 1<<20)
		if sc.Scan() {
			l.Job = sc.Text()
		}
		for sc.Scan() {
			if h, ok := ParseArtifactName(sc.Text()); ok {
				l.Hashes = append(l.Hashes, h)
			}
		}
		f.Close()
	}
	return l
}

// Undo removes what an interrupted commit may have put in place: the build
// directory (unless l.Job is empty) and the artifacts for which
// unreferenced returns true. The caller holds the write transaction, knows
// the build row is absent and has checked that l.Job is a valid job name.
// A file that cannot be removed does not stop it: the errors are returned
// together after the rest was tried. An error of unreferenced returns at once.
func (s *Store) Undo(l Leftover, unreferenced func(sha []byte) (bool, error)) error {
	var errs []error
	if l.Job != "" {
		if err := s.RemoveBuildDir(l.Job, l.Name); err != nil {
			errs = append(errs, fmt.Errorf("remove build directory of %s: %w", l.Name, err))
		}
	}
	for _, h := range l.Hashes {
		gone, err := unreferenced(h)
		if err != nil {
			return err
		}
		if gone {
			if err := s.RemoveArtifact(h); err != nil {
				errs = append(errs, fmt.Errorf("remove artifact: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// RemoveLeftover deletes one staging entry.
func (s *Store) RemoveLeftover(l Leftover) error {
	return os.RemoveAll(l.path)
}
