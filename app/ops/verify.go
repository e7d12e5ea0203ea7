package ops

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Severity says whether a finding makes a verify command fail.
type Severity int

const (
	// Warning is something to look at that does no harm: an untracked or
	// unreferenced file, a build that did not reproduce.
	Warning Severity = iota
	// Error is something that breaks a page or a download: a missing or
	// corrupt file, a row pointing nowhere.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Finding is one problem a verify command reports.
type Finding struct {
	Severity Severity
	// Path is the file concerned, relative to the data (or cache)
	// directory, or a row such as "build <uuid>".
	Path string
	Msg  string
}

func (f Finding) String() string {
	return f.Severity.String() + ": " + f.Path + ": " + f.Msg
}

// VerifyReport counts what a verify command checked and found.
type VerifyReport struct {
	Artifacts int // distinct artifact files checked
	Builds    int // build rows checked
	Files     int // files found on disk (verify-data-dir), or cache files checked
	Errors    int
	Warnings  int
}

// verifyPage is how many rows one query of a verify walk reads.
const verifyPage = 500

// reporter counts findings and passes them on.
type reporter struct {
	rep    *VerifyReport
	report func(Finding)
}

func (r reporter) add(sev Severity, p, format string, args ...any) {
	if sev == Error {
		r.rep.Errors++
	} else {
		r.rep.Warnings++
	}
	if r.report != nil {
		r.report(Finding{Severity: sev, Path: p, Msg: fmt.Sprintf(format, args...)})
	}
}

// VerifyDataDir checks a data directory against its database (reference
// §11.2 verify-data-dir, product §6.2 rule 5). Errors: an artifact file
// missing, of the wrong size or the wrong SHA-256; a console or script path
// not of the form <job>/<uuid>/… or missing; a row pointing nowhere (an
// artifact of no build, a build of no job, a main binary that is not an
// artifact of its build). Warnings: files no row accounts for, separately
// for artifact files no row references. Expected besides the tracked files:
// the database with its -wal and -shm files, and anything under _staging/
// and _cache/.
//
// Files are hashed as streams, several at once. A finding that an upload or
// a removal running at the same time would explain is checked again
// against the database before it is reported. progress, when not nil, is
// called with the number of rows checked and the total.
func VerifyDataDir(ctx context.Context, d *db.DB, dataDir string,
	report func(Finding), progress func(done, total int)) (VerifyReport, error) {
	var rep VerifyReport
	r := reporter{&rep, report}
	counts, err := d.Counts(ctx)
	if err != nil {
		return rep, err
	}
	total := int(counts.Artifacts + counts.Builds)
	done := 0
	tick := func(n int) {
		done += n
		if progress != nil {
			progress(min(done, total), max(total, done))
		}
	}
	v := &dataVerifier{d: d, dir: dataDir, r: r,
		artifacts: map[[32]byte]fileCheck{}, buildFiles: map[string]struct{}{},
		reported: map[[32]byte]bool{}}
	if err := v.artifactRows(ctx, tick); err != nil {
		return rep, err
	}
	if err := v.buildRows(ctx, tick); err != nil {
		return rep, err
	}
	rep.Artifacts = len(v.artifacts)
	if err := v.walk(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

type dataVerifier struct {
	d   *db.DB
	dir string
	r   reporter
	// artifacts holds every hash a row references, with what its file
	// turned out to be; buildFiles every console and script path.
	artifacts  map[[32]byte]fileCheck
	buildFiles map[string]struct{}
	// reported holds the hashes whose file got an error already: one line
	// per file, not one per row that references it.
	reported map[[32]byte]bool
}

// fileCheck is the outcome of reading one artifact file.
type fileCheck struct {
	size int64 // on disk
	sum  []byte
	err  error // could not be read (missing, not a file, I/O)
}

func (v *dataVerifier) artifactRows(ctx context.Context, tick func(int)) error {
	var after int64
	for {
		rows, err := v.d.VerifyArtifacts(ctx, after, verifyPage)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		after = rows[len(rows)-1].ID
		var todo [][32]byte
		for _, a := range rows {
			if len(a.SHA256) != sha256.Size {
				continue
			}
			k := [32]byte(a.SHA256)
			if _, ok := v.artifacts[k]; !ok {
				v.artifacts[k] = fileCheck{}
				todo = append(todo, k)
			}
		}
		checked := v.hashAll(ctx, todo)
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, k := range todo {
			v.artifacts[k] = checked[i]
		}
		for _, a := range rows {
			if err := v.checkArtifact(ctx, a); err != nil {
				return err
			}
		}
		tick(len(rows))
	}
}

// hashAll reads the artifact files of these hashes, a few at a time: on
// many small files the disk's queue, not one core, is the limit.
func (v *dataVerifier) hashAll(ctx context.Context, keys [][32]byte) []fileCheck {
	out := make([]fileCheck, len(keys))
	workers := min(runtime.GOMAXPROCS(0), 8, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = hashFile(filepath.Join(v.dir, filepath.FromSlash(store.ArtifactRel(keys[i][:]))))
			}
		}()
	}
	for i := range keys {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func hashFile(p string) fileCheck {
	f, err := os.Open(p)
	if err != nil {
		return fileCheck{err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileCheck{err: err}
	}
	if !fi.Mode().IsRegular() {
		return fileCheck{err: errors.New("not a regular file")}
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fileCheck{err: err}
	}
	return fileCheck{size: n, sum: h.Sum(nil)}
}

func (v *dataVerifier) checkArtifact(ctx context.Context, a db.VerifyArtifact) error {
	what := fmt.Sprintf("artifact %s of build %s/%s", a.Filepath, a.Job, a.UUID)
	if a.UUID == "" {
		v.r.add(Error, fmt.Sprintf("artifact row %d", a.ID), "%s: build %d does not exist", a.Filepath, a.BuildID)
		return nil
	}
	if a.Job == "" {
		v.r.add(Error, "build "+a.UUID, "its job does not exist")
	}
	if len(a.SHA256) != sha256.Size {
		v.r.add(Error, fmt.Sprintf("artifact row %d", a.ID), "%s: sha256 of %d bytes", what, len(a.SHA256))
		return nil
	}
	k := [32]byte(a.SHA256)
	c := v.artifacts[k]
	rel := store.ArtifactRel(a.SHA256)
	if v.reported[k] {
		return nil
	}
	switch {
	case c.err != nil:
		// Removed by a vacuum since the row was read?
		ok, err := v.d.ArtifactExists(ctx, a.SHA256)
		if err != nil {
			return err
		}
		if !ok {
			delete(v.artifacts, k)
			return nil
		}
		v.reported[k] = true
		if errors.Is(c.err, fs.ErrNotExist) {
			v.r.add(Error, rel, "missing (%s)", what)
		} else {
			v.r.add(Error, rel, "unreadable (%s): %v", what, c.err)
		}
	case c.size != a.Size:
		v.reported[k] = true
		v.r.add(Error, rel, "size %d on disk, %d in the database (%s)", c.size, a.Size, what)
	case !bytes.Equal(c.sum, a.SHA256):
		v.reported[k] = true
		v.r.add(Error, rel, "sha256 on disk is %x (%s)", c.sum, what)
	}
	return nil
}

func (v *dataVerifier) buildRows(ctx context.Context, tick func(int)) error {
	var after int64
	for {
		rows, err := v.d.VerifyBuilds(ctx, after, verifyPage)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		after = rows[len(rows)-1].ID
		for _, b := range rows {
			if err := v.checkBuild(ctx, b); err != nil {
				return err
			}
		}
		v.r.rep.Builds += len(rows)
		tick(len(rows))
	}
}

func (v *dataVerifier) checkBuild(ctx context.Context, b db.VerifyBuild) error {
	row := "build " + b.UUID
	if b.Job == "" {
		v.r.add(Error, row, "job %d does not exist", b.JobID)
	}
	switch {
	case b.MainBinary == nil:
	case b.MainBuild == nil:
		v.r.add(Error, row, "main binary %d does not exist", *b.MainBinary)
	case *b.MainBuild != b.ID:
		v.r.add(Error, row, "main binary %d is an artifact of another build (%d)", *b.MainBinary, *b.MainBuild)
	}
	for _, f := range []struct{ what, rel string }{{"console", b.Console}, {"script", b.Script}} {
		segs := strings.Split(f.rel, "/")
		if !fs.ValidPath(f.rel) || len(segs) < 3 || (b.Job != "" && segs[0] != b.Job) || segs[1] != b.UUID {
			v.r.add(Error, row, "%s path %q is not of the form <job>/<uuid>/…", f.what, f.rel)
			continue
		}
		v.buildFiles[f.rel] = struct{}{}
		fi, err := os.Stat(filepath.Join(v.dir, filepath.FromSlash(f.rel)))
		if err == nil && fi.Mode().IsRegular() {
			continue
		}
		// Removed by a vacuum since the row was read?
		if ok, err := v.d.BuildExists(ctx, b.UUID); err != nil {
			return err
		} else if !ok {
			continue
		}
		switch {
		case err == nil:
			v.r.add(Error, f.rel, "not a regular file (%s of build %s)", f.what, b.UUID)
		case errors.Is(err, fs.ErrNotExist):
			v.r.add(Error, f.rel, "missing (%s of build %s)", f.what, b.UUID)
		default:
			v.r.add(Error, f.rel, "unreadable (%s of build %s): %v", f.what, b.UUID, err)
		}
	}
	return nil
}

// walk reports the files on disk that no row accounts for.
func (v *dataVerifier) walk(ctx context.Context) error {
	// WalkDir does not descend into a symbolic link, and the data
	// directory often is one (/var/lib/builder-web on a data disk).
	root, err := filepath.EvalSymlinks(v.dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	v.dir = root
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			v.r.add(Error, v.rel(p), "unreadable: %v", err)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := v.rel(p)
		if e.IsDir() {
			if rel == store.StagingDir || rel == store.CacheDir || rel == store.KeysDir {
				return filepath.SkipDir
			}
			return nil
		}
		v.r.rep.Files++
		switch rel {
		case store.DBFile, store.DBFile + "-wal", store.DBFile + "-shm":
			return nil
		}
		if _, ok := v.buildFiles[rel]; ok {
			return nil
		}
		segs := strings.Split(rel, "/")
		if segs[0] == store.ArtifactsDir {
			sha, ok := store.ParseArtifactName(path.Base(rel))
			if ok && len(segs) == 3 && segs[1] == segs[2][:2] {
				if _, tracked := v.artifacts[[32]byte(sha)]; tracked {
					return nil
				}
				// Stored by an upload since the rows were read?
				if ok, err := v.d.ArtifactExists(ctx, sha); err != nil || ok {
					return err
				}
				v.r.add(Warning, rel, "unreferenced artifact file")
				return nil
			}
		} else if len(segs) == 3 && v.uploadedSince(ctx, segs[1], rel) {
			return nil
		}
		v.r.add(Warning, rel, "untracked file")
		return nil
	})
}

// uploadedSince reports whether rel is the console or script of a build
// stored after the build rows were read.
func (v *dataVerifier) uploadedSince(ctx context.Context, uuid, rel string) bool {
	b, err := v.d.BuildByUUID(ctx, uuid)
	return err == nil && (b.Console == rel || b.Script == rel)
}

func (v *dataVerifier) rel(p string) string {
	r, err := filepath.Rel(v.dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// VerifyInputIDs warns about every input id whose successful builds have
// different main binaries (reference §11.2 verify-input-id): the same
// inputs did not reproduce the same output. The finding lists each output
// with the builds that produced it.
func VerifyInputIDs(ctx context.Context, d *db.DB, report func(Finding)) (VerifyReport, error) {
	var rep VerifyReport
	r := reporter{&rep, report}
	var after []byte
	for {
		ids, err := d.InputIDsAfter(ctx, after, verifyPage)
		if err != nil {
			return rep, err
		}
		if len(ids) == 0 {
			return rep, nil
		}
		after = ids[len(ids)-1]
		for _, id := range ids {
			builds, err := d.InputIDBuilds(ctx, id)
			if err != nil {
				return rep, err
			}
			rep.Builds += len(builds)
			var order []string
			byHash := map[string][]string{}
			for _, b := range builds {
				h := hex.EncodeToString(b.SHA256)
				if _, ok := byHash[h]; !ok {
					order = append(order, h)
				}
				byHash[h] = append(byHash[h], b.Job+"/"+b.UUID)
			}
			if len(order) < 2 {
				continue
			}
			var msg strings.Builder
			fmt.Fprintf(&msg, "%d different main binaries from the same input:", len(order))
			for _, h := range order {
				fmt.Fprintf(&msg, "\n  %s: %s", h, strings.Join(byHash[h], ", "))
			}
			r.add(Warning, "input id "+hex.EncodeToString(id), "%s", msg.String())
		}
	}
}

// vizKinds are the visualizations of reference §10, by the prefix of their
// cache directories.
var vizKinds = []string{"dependencies", "treemap"}

// batchVizLog is the log the reference's --run-batch-viz appends to in the
// cache directory: expected there, not a visualization.
const batchVizLog = "batch-viz.log"
