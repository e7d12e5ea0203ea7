// Package store keeps the files of a data directory: artifact contents
// stored once per SHA-256 under _artifacts/, the console and script of each
// build under <job>/<uuid>/, and the staging area that makes uploads
// all-or-nothing (product.md §6.2).
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Directory names inside the data directory; job names may not start with
// "_", so none of these can collide with a job.
const (
	ArtifactsDir = "_artifacts"
	StagingDir   = "_staging"
	CacheDir     = "_cache"
	KeysDir      = "_keys" // the attestation signing keys (app/attest)
	DBFile       = "builder.sqlite3"
)

// ErrStagingExists means another upload of the same UUID is in progress.
var ErrStagingExists = errors.New("staging directory already exists")

// Store is a data directory, as one node (one builder-web process, or
// builder-db) uses it.
type Store struct {
	dir string
	// node names this process's staging directory _staging/<node>/:
	// several nodes share one data directory on a shared file system, and
	// each cleans only its own interrupted uploads at start.
	node string
	// NoSync skips fsync of staged files and directories: for bulk loads
	// that are rerun after a crash (builder-db generate), never the server.
	NoSync bool
}

// New returns the store rooted at dataDir for the node named node (see
// ValidateNode), creating the directories it needs.
func New(dataDir, node string) (*Store, error) {
	if err := ValidateNode(node); err != nil {
		return nil, err
	}
	for _, d := range []string{dataDir, filepath.Join(dataDir, ArtifactsDir), filepath.Join(dataDir, StagingDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	return &Store{dir: dataDir, node: node}, nil
}

// wOK is access(2)'s W_OK, which package syscall does not name.
const wOK = 2

// CheckWritable says clearly when an existing data directory cannot be
// written: SQLite's own error for it is "no such file or directory". A
// directory that does not exist yet is not checked (creating it reports
// its own error). access(2) also reports a read-only file system to root,
// for whom permissions do not count.
func CheckWritable(dataDir string) error {
	err := syscall.Access(dataDir, wOK)
	switch {
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("data directory %s is on a read-only file system", dataDir)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("data directory %s is not writable by this user (uid %d)", dataDir, os.Getuid())
	default:
		return fmt.Errorf("data directory %s: %w", dataDir, err)
	}
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// ArtifactRel is the path of an artifact's content relative to the data directory.
func ArtifactRel(sha []byte) string {
	h := hex.EncodeToString(sha)
	return ArtifactsDir + "/" + h[:2] + "/" + h
}

// ArtifactPath is the absolute path of an artifact's content.
func (s *Store) ArtifactPath(sha []byte) string {
	return filepath.Join(s.dir, filepath.FromSlash(ArtifactRel(sha)))
}

// Open opens a file named relative to the data directory (a build's
// console or script path as stored in the database).
func (s *Store) Open(rel string) (*os.File, error) {
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("open %q: invalid path", rel)
	}
	return os.Open(filepath.Join(s.dir, filepath.FromSlash(rel)))
}

// OpenArtifact opens the content of an artifact.
func (s *Store) OpenArtifact(sha []byte) (*os.File, error) {
	return os.Open(s.ArtifactPath(sha))
}

// BuildDir is the directory holding a build's console and script.
func (s *Store) BuildDir(job, uuid string) string {
	return filepath.Join(s.dir, job, uuid)
}

// TempFile creates a scratch file in _staging/<node>/ (an upload's
// spooled console, say), which the node's next start removes if the
// process dies before its owner does.
func (s *Store) TempFile(pattern string) (*os.File, error) {
	var f *os.File
	err := s.inStaging(func(dir string) (err error) {
		f, err = os.CreateTemp(dir, pattern)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create scratch file: %w", err)
	}
	return f, nil
}

// Staged is a file written into a staging directory, with its hash.
type Staged struct {
	SHA256 []byte
	Size   int64
	path   string // empty when PutBytes found the content stored already
	data   []byte // the content, when staged by PutBytes
}

// Staging is the private directory of one upload until it commits.
type Staging struct {
	store  *Store
	dir    string
	n      int
	staged []Staged
	// direct is set by StageDirect: dir is the build directory itself,
	// and artifacts are written in place.
	direct bool
}

// Stage creates _staging/<node>/<name>/ for one upload.
func (s *Store) Stage(name string) (*Staging, error) {
	dir := filepath.Join(s.stagingDir(), name)
	if err := s.inStaging(func(string) error { return os.Mkdir(dir, 0o755) }); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, ErrStagingExists
		}
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	return &Staging{store: s, dir: dir}, nil
}

// Put copies r into a new staging file, hashing on the way, and makes it
// durable. Every byte is written once.
func (st *Staging) Put(r io.Reader) (Staged, error) {
	st.n++
	path := filepath.Join(st.dir, fmt.Sprintf("artifact-%d", st.n))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return Staged{}, fmt.Errorf("create staging file: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil && !st.store.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Staged{}, err
	}
	s := Staged{SHA256: h.Sum(nil), Size: n, path: path}
	st.staged = append(st.staged, s)
	return s, nil
}

// ReadStaged reads up to max bytes of a staged file (for parsing the opam
// switch after it was stored).
func (st *Staging) ReadStaged(s Staged, max int64) ([]byte, error) {
	if s.data != nil {
		return s.data[:min(int64(len(s.data)), max)], nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
}

// WriteFile writes a small file (console.txt, script.txt) into the
// staging directory's "build" subdirectory, which becomes <job>/<uuid>/.
func (st *Staging) WriteFile(name string, write func(io.Writer) error) error {
	dir := st.dir
	if !st.direct {
		dir = filepath.Join(st.dir, "build")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil && !st.store.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// AdoptFile moves f, a complete scratch file of this store (TempFile),
// into the staging directory's "build" subdirectory as name, so that its
// bytes are not written a second time.
func (st *Staging) AdoptFile(name string, f *os.File) error {
	dir := filepath.Join(st.dir, "build")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err := f.Chmod(0o644) // CreateTemp made it private
	if err == nil && !st.store.NoSync {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// Commit moves the staged artifacts to their content address and the build
// files to <job>/<uuid>/. It runs inside the database's write transaction,
// so no deletion under _artifacts interleaves with it; an existing artifact
// file has the same content and is kept. A crash part-way leaves only
// unreferenced files, which Recover removes.
func (st *Staging) Commit(job, uuid string, staged []Staged) error {
	if st.direct {
		return st.commitDirect(staged)
	}
	if err := st.writeManifest(job, staged); err != nil {
		return err
	}
	dirs := map[string]bool{} // directories that got a new entry
	for _, s := range staged {
		dst := st.store.ArtifactPath(s.SHA256)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		dir := filepath.Dir(dst)
		if !dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
			dirs[dir] = true
		}
		if s.path == "" {
			// PutBytes found it stored, but it is gone now (a vacuum
			// of another process): stage it after all.
			var err error
			if s, err = st.writeStaged(s); err != nil {
				return err
			}
		}
		if err := os.Rename(s.path, dst); err != nil {
			return fmt.Errorf("move artifact into place: %w", err)
		}
	}
	jobDir := filepath.Join(st.store.dir, job)
	if err := os.MkdirAll(jobDir, 0o755); err != nil {
		return fmt.Errorf("create job directory: %w", err)
	}
	if err := os.Rename(filepath.Join(st.dir, "build"), filepath.Join(jobDir, uuid)); err != nil {
		return fmt.Errorf("move build directory into place: %w", err)
	}
	if !st.store.NoSync {
		for dir := range dirs {
			syncDir(dir)
		}
		syncDir(jobDir)
	}
	return nil
}

// Abort removes the staging directory and everything in it (of a
// StageDirect staging: the build directory; artifacts written in place may
// be shared with other builds of the batch and stay).
func (st *Staging) Abort() error {
	return os.RemoveAll(st.dir)
}

// Done removes what is left of the staging directory after a commit
// (artifacts whose content was already stored).
func (st *Staging) Done() error {
	if st.direct {
		return nil
	}
	return os.RemoveAll(st.dir)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// RemoveBuildDir deletes <job>/<uuid>/ and the job directory when it
// becomes empty.
func (s *Store) RemoveBuildDir(job, uuid string) error {
	if err := os.RemoveAll(s.BuildDir(job, uuid)); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(s.dir, job)) // fails while other builds remain
	return nil
}

// RemoveArtifact deletes an artifact file; callers hold the write
// transaction and have checked that no row references the hash.
func (s *Store) RemoveArtifact(sha []byte) error {
	err := os.Remove(s.ArtifactPath(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ParseArtifactName returns the hash of a file name under _artifacts/xx/.
func ParseArtifactName(name string) ([]byte, bool) {
	if len(name) != 64 || strings.ToLower(name) != name {
		return nil, false
	}
	b, err := hex.DecodeString(name)
	return b, err == nil
}
