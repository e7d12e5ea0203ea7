// Package ingest turns one upload into one stored build: it decodes the
// record as it streams in, stages every file once while hashing it, and
// commits rows and files together (reference §4.3–4.4, product.md §6.2).
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Limits on what is read back into memory during an upload.
const (
	maxReadme = 4 << 20  // a README larger than this is not kept as the job's readme tag
	maxSwitch = 64 << 20 // an opam switch export larger than this is not parsed for tags
)

// Uploader is the authenticated user an upload is attributed to.
type Uploader struct {
	ID         int64
	Name       string
	Restricted bool
}

// Build describes a committed build, for the response and the upload hooks.
type Build struct {
	UUID       string
	Job        string
	Platform   string
	Start      time.Time
	MainBinary *Artifact // nil when the build has no main binary
}

// Artifact is one stored output file.
type Artifact struct {
	Path   string
	SHA256 []byte
	Size   int64
}

// Ingester stores uploads into one data directory.
type Ingester struct {
	DB    *db.DB
	Store *store.Store
	Log   *slog.Logger
	// OnCommit, when set, is called after a build was committed (upload hooks).
	OnCommit func(Build)
	// Failpoint, when set, is called at the named points of a commit
	// ("staged", "moved", "committed") so that crash tests can kill the
	// process exactly there.
	Failpoint func(point string)

	// switchTags remembers the tags of recent opam switch exports by
	// hash: parsing one was a fifth of an upload's CPU time, and a job's
	// builds mostly upload the same switch (every platform, every
	// unchanged input).
	switchTags tagCache
}

func (in *Ingester) failpoint(point string) {
	if in.Failpoint != nil {
		in.Failpoint(point)
	}
}

// Ingest reads one builder record from r and stores it as a build of u.
// Errors are *httperr.Error with the status the upload endpoint answers.
func (in *Ingester) Ingest(ctx context.Context, r io.Reader, u Uploader) (*Build, error) {
	p, err := in.Prepare(ctx, r, u)
	if err != nil {
		return nil, err
	}
	bs, err := in.Commit(ctx, p)
	if err != nil {
		return nil, err
	}
	return bs[0], nil
}

// Pending is an upload that is decoded and staged but not yet committed.
type Pending struct {
	st   *store.Staging
	up   *upload
	nb   db.NewBuild
	user Uploader
}

// Abort removes the staged files of an upload that will not be committed.
func (p *Pending) Abort() { _ = p.st.Abort() }

// Prepare decodes one record from r as it streams in, checks access and
// the UUID, and stages every file once while hashing it. Nothing is
// visible until Commit; on error nothing is left behind. Script and
// console go to spool files as they arrive, so that memory does not grow
// with them.
func (in *Ingester) Prepare(ctx context.Context, r io.Reader, u Uploader) (*Pending, error) {
	sp, err := in.newSpool()
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	defer sp.remove()
	body := &trackReader{r: r}
	dec := builder.NewDecoder(body)
	dec.StreamText(sp.script, sp.console)
	h, err := dec.Header()
	if err != nil {
		if body.err == nil && !errors.Is(err, builder.ErrMalformed) {
			return nil, fmt.Errorf("upload: %w", err) // writing a spool file failed
		}
		return nil, readError(err)
	}
	return in.stage(ctx, h, u, false, sp.writeBuildFiles, func(st *store.Staging, up *upload) error {
		for {
			p, _, data, err := dec.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return readError(err)
			}
			if err := up.add(st, p, data); err != nil {
				return err
			}
		}
	})
}

// spool holds an upload's script and console until its staging directory
// exists: the UUID that names the directory comes after them in the
// record. The files live in _staging/<node>/, which the node clears at
// start.
type spool struct {
	scriptFile, consoleFile *os.File
	script                  *bufio.Writer
	console                 *builder.ConsoleSpool
}

func (in *Ingester) newSpool() (*spool, error) {
	sf, err := in.Store.TempFile("script-*")
	if err != nil {
		return nil, err
	}
	cf, err := in.Store.TempFile("console-*")
	if err != nil {
		removeFile(sf)
		return nil, err
	}
	return &spool{
		scriptFile:  sf,
		consoleFile: cf,
		script:      bufio.NewWriterSize(sf, 64<<10),
		console:     builder.NewConsoleSpool(cf),
	}, nil
}

// writeBuildFiles moves script.txt and writes console.txt (chronological)
// from the spool into the staging directory.
func (sp *spool) writeBuildFiles(st *store.Staging) error {
	if err := sp.script.Flush(); err != nil {
		return fmt.Errorf("spool script: %w", err)
	}
	if err := st.AdoptFile("script.txt", sp.scriptFile); err != nil {
		return err
	}
	// The console is written a second time: records hold it newest first.
	return st.WriteFile("console.txt", func(w io.Writer) error {
		_, err := sp.console.WriteTo(w)
		return err
	})
}

// remove deletes the spool files; an adopted one is gone already.
func (sp *spool) remove() {
	removeFile(sp.scriptFile)
	removeFile(sp.consoleFile)
}

func removeFile(f *os.File) {
	f.Close()
	_ = os.Remove(f.Name())
}

// IngestBinary stores a bare binary as a synthetic build (reference §4.2).
func (in *Ingester) IngestBinary(ctx context.Context, job, platform, name string, r io.Reader, u Uploader) (*Build, error) {
	if name == "" {
		name = job + ".bin"
	}
	if strings.Contains(name, "/") || name == "." || name == ".." || strings.ContainsRune(name, 0) {
		return nil, httperr.BadRequest("Bad binary name provided.", nil)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	now := time.Now().UTC().Truncate(time.Millisecond)
	h := &builder.Header{
		Job:    builder.Job{Name: job, Platform: platform, Script: "# This artifact was manually built\n"},
		UUID:   id,
		Start:  now,
		Finish: now,
		Result: builder.Result{Kind: builder.Exited},
	}
	buildFiles := func(st *store.Staging) error { return writeBuildFiles(st, h) }
	p, err := in.stage(ctx, h, u, false, buildFiles, func(st *store.Staging, up *upload) error {
		return up.add(st, "bin/"+name, r)
	})
	if err != nil {
		return nil, err
	}
	bs, err := in.Commit(ctx, p)
	if err != nil {
		return nil, err
	}
	return bs[0], nil
}

// stage validates a record's header, checks access and the UUID, creates
// the staging directory, lets buildFiles write console and script into it
// and files add the output files. On any error the staging directory is
// removed. bulk (builder-db generate) leaves the check for a stored build
// of the same UUID to the caller and writes the files in place
// (store.StageDirect) instead of staging them.
func (in *Ingester) stage(ctx context.Context, h *builder.Header, u Uploader, bulk bool, buildFiles func(*store.Staging) error, files func(*store.Staging, *upload) error) (*Pending, error) {
	if err := ValidateJobName(h.Job.Name); err != nil {
		return nil, httperr.BadRequest("Bad request: "+err.Error(), err)
	}
	if err := ValidatePlatform(h.Job.Platform); err != nil {
		return nil, httperr.BadRequest("Bad request: "+err.Error(), err)
	}
	uuid := builder.UUIDString(h.UUID)
	if err := in.admit(ctx, u, h.Job.Name, uuid, !bulk); err != nil {
		return nil, err
	}
	var st *store.Staging
	var err error
	if bulk {
		st, err = in.Store.StageDirect(h.Job.Name, uuid, func() (bool, error) {
			stored, err := in.DB.BuildExists(ctx, uuid)
			return !stored, err
		})
	} else {
		st, err = in.Store.Stage(uuid)
	}
	if err != nil {
		if errors.Is(err, store.ErrStagingExists) {
			return nil, conflict(uuid)
		}
		return nil, fmt.Errorf("upload %s: %w", uuid, err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = st.Abort()
		}
	}()
	if err := buildFiles(st); err != nil {
		return nil, fmt.Errorf("upload %s: %w", uuid, err)
	}
	up := &upload{header: h, uuid: uuid}
	if err := files(st, up); err != nil {
		return nil, err
	}
	p, err := in.pending(st, up, u)
	ok = err == nil
	return p, err
}

// admit checks access and the UUID before anything is written.
func (in *Ingester) admit(ctx context.Context, u Uploader, job, uuid string, checkUUID bool) error {
	if u.Restricted {
		ok, err := in.DB.HasAccess(ctx, u.ID, job)
		if err != nil {
			return fmt.Errorf("check access of %s to %s: %w", u.Name, job, err)
		}
		if !ok {
			return httperr.New(http.StatusForbidden, "Forbidden: user "+u.Name+" may not upload to job "+job, nil)
		}
	}
	if !checkUUID {
		return nil
	}
	exists, err := in.DB.BuildExists(ctx, uuid)
	if err != nil {
		return fmt.Errorf("check build %s: %w", uuid, err)
	}
	if exists {
		return conflict(uuid)
	}
	return nil
}

func conflict(uuid string) error {
	return httperr.New(http.StatusConflict, "Build with same uuid exists: "+uuid, nil)
}

// readError classifies an error of the body: malformed record → 400, body
// over the limit → 413, anything else (a dropped connection) → 400 too,
// since the client sent an incomplete body.
func readError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return httperr.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body larger than %d bytes", tooBig.Limit), err)
	case errors.Is(err, builder.ErrMalformed):
		return httperr.BadRequest("Bad request: "+err.Error(), err)
	default:
		return httperr.BadRequest("Bad request: reading body: "+err.Error(), err)
	}
}

// writeBuildFiles writes script.txt and console.txt from a header held in
// memory.
func writeBuildFiles(st *store.Staging, h *builder.Header) error {
	if err := st.WriteFile("script.txt", func(w io.Writer) error {
		_, err := io.WriteString(w, h.Job.Script)
		return err
	}); err != nil {
		return err
	}
	return st.WriteFile("console.txt", func(w io.Writer) error {
		return builder.WriteConsole(w, h.Console)
	})
}

// upload collects what the streamed files contribute to the build row.
type upload struct {
	header    *builder.Header
	uuid      string
	artifacts []db.NewArtifact
	staged    []store.Staged
	seen      map[string]bool
	readme    []byte
	readmeTop bool
	switchIdx int // index+1 of the first artifact named opam-switch
}

// add stages one output file, or reads it when it is not stored
// (README.md, *.build-hashes).
func (up *upload) add(st *store.Staging, p string, data io.Reader) error {
	return up.addFile(st, p, data, nil, false)
}

func (up *upload) addFile(st *store.Staging, p string, data io.Reader, mem []byte, inMem bool) error {
	if err := ValidateArtifactPath(p); err != nil {
		return httperr.BadRequest("Bad request: "+err.Error(), err)
	}
	if up.seen == nil {
		up.seen = map[string]bool{}
	}
	if up.seen[p] {
		err := fmt.Errorf("artifact path %q appears twice", p)
		return httperr.BadRequest("Bad request: "+err.Error(), err)
	}
	up.seen[p] = true
	base := path.Base(p)
	switch {
	case base == "README.md":
		b, err := io.ReadAll(io.LimitReader(data, maxReadme+1))
		if err != nil {
			return readError(err)
		}
		if _, err := io.Copy(io.Discard, data); err != nil {
			return readError(err)
		}
		// The top-level README wins; otherwise the first one found.
		if len(b) <= maxReadme && !up.readmeTop && (up.readme == nil || p == "README.md") {
			up.readme, up.readmeTop = b, p == "README.md"
		}
		return nil
	case path.Ext(base) == ".build-hashes":
		if _, err := io.Copy(io.Discard, data); err != nil {
			return readError(err)
		}
		return nil
	}
	tr := &trackReader{r: data}
	var s store.Staged
	var err error
	if inMem {
		s, err = st.PutBytes(mem)
	} else {
		s, err = st.Put(tr)
	}
	if err != nil {
		if tr.err != nil {
			return readError(tr.err)
		}
		return fmt.Errorf("stage %s: %w", p, err)
	}
	up.staged = append(up.staged, s)
	up.artifacts = append(up.artifacts, db.NewArtifact{Path: p, SHA256: s.SHA256, Size: s.Size})
	if base == db.OpamSwitch && up.switchIdx == 0 {
		up.switchIdx = len(up.artifacts)
	}
	return nil
}

// trackReader remembers an error of reading the request body, so that
// it is told apart from an error of writing the staging file: only the
// former is the client's fault.
type trackReader struct {
	r   io.Reader
	err error
}

func (t *trackReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// pending derives the build row from a fully staged upload.
func (in *Ingester) pending(st *store.Staging, up *upload, u Uploader) (*Pending, error) {
	h := up.header
	code, msg := builder.PackResult(h.Result)
	nb := db.NewBuild{
		Job:        h.Job.Name,
		UUID:       up.uuid,
		Platform:   h.Job.Platform,
		Script:     h.Job.Name + "/" + up.uuid + "/script.txt",
		Console:    h.Job.Name + "/" + up.uuid + "/console.txt",
		Start:      h.Start,
		Finish:     h.Finish,
		ResultCode: code,
		ResultMsg:  msg,
		UserID:     u.ID,
		InputID:    inputID(up.artifacts),
		Artifacts:  up.artifacts,
		MainBinary: mainBinary(up.artifacts),
		Tags:       map[string]string{},
	}
	if up.readme != nil {
		nb.Tags["readme.md"] = string(up.readme)
	}
	if up.switchIdx > 0 {
		s := up.staged[up.switchIdx-1]
		tags, ok := in.switchTags.get(s.SHA256)
		if !ok {
			b, err := st.ReadStaged(s, maxSwitch)
			if err != nil {
				return nil, fmt.Errorf("read opam-switch of %s: %w", up.uuid, err)
			}
			tags = switchTags(b)
			in.switchTags.put(s.SHA256, tags)
		}
		for k, v := range tags {
			nb.Tags[k] = v
		}
	}
	return &Pending{st: st, up: up, nb: nb, user: u}, nil
}

// Commit stores prepared uploads in one write transaction that also moves
// their files into place: all of them become visible, or none (a batch of
// several serves bulk loading). The staged files are removed either way.
func (in *Ingester) Commit(ctx context.Context, ps ...*Pending) ([]*Build, error) {
	in.failpoint("staged")
	moved := 0 // ps[:moved] may have files in place
	err := in.DB.WriteTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		w := db.NewBuildWriter(tx)
		defer w.Close()
		for _, p := range ps {
			if _, err := w.Insert(ctx, p.nb); err != nil {
				if errors.Is(err, db.ErrDuplicate) {
					return conflict(p.up.uuid)
				}
				return fmt.Errorf("commit build %s: %w", p.up.uuid, err)
			}
			moved++
			if err := p.st.Commit(p.nb.Job, p.up.uuid, p.up.staged); err != nil {
				return fmt.Errorf("commit build %s: %w", p.up.uuid, err)
			}
		}
		in.failpoint("moved")
		return nil
	})
	if err != nil {
		// Uploads whose files never moved just lose their staging
		// directory: no database access, which may be what failed (a
		// lock held past the busy timeout, a full disk).
		for _, p := range ps[moved:] {
			_ = p.st.Abort()
		}
		// Files the others moved into place before the rollback are
		// referenced by no row: take them back out now.
		var left []store.Leftover
		for _, p := range ps[:moved] {
			left = append(left, p.st.Leftover(p.nb.Job))
		}
		if len(left) > 0 {
			if uerr := in.cleanLeftovers(context.WithoutCancel(ctx), left); uerr != nil && in.Log != nil {
				in.Log.Error("undo failed commit", "err", uerr)
			}
		}
		return nil, err
	}
	in.failpoint("committed")
	for _, p := range ps {
		_ = p.st.Done()
	}
	out := make([]*Build, 0, len(ps))
	for _, p := range ps {
		h := p.up.header
		b := &Build{UUID: p.up.uuid, Job: h.Job.Name, Platform: h.Job.Platform, Start: h.Start}
		if i := p.nb.MainBinary; i >= 0 {
			a := p.up.artifacts[i]
			b.MainBinary = &Artifact{Path: a.Path, SHA256: a.SHA256, Size: a.Size}
		}
		if in.Log != nil {
			in.Log.Info("build stored", "job", b.Job, "uuid", b.UUID, "platform", b.Platform,
				"user", p.user.Name, "artifacts", len(p.up.artifacts))
		}
		if in.OnCommit != nil {
			in.OnCommit(*b)
		}
		out = append(out, b)
	}
	return out, nil
}

// mainBinary returns the index of the only artifact under bin/, or -1
// when there are none or several (reference §1).
func mainBinary(arts []db.NewArtifact) int {
	idx := -1
	for i, a := range arts {
		if strings.HasPrefix(a.Path, "bin/") {
			if idx >= 0 {
				return -1
			}
			idx = i
		}
	}
	return idx
}

// inputID is the SHA-256 over the raw digests of opam-switch,
// build-environment and system-packages, or nil if one is missing.
func inputID(arts []db.NewArtifact) []byte {
	var parts [3][]byte
	for _, a := range arts {
		switch a.Path {
		case db.OpamSwitch:
			parts[0] = a.SHA256
		case db.BuildEnvironment:
			parts[1] = a.SHA256
		case db.SystemPackages:
			parts[2] = a.SHA256
		}
	}
	if parts[0] == nil || parts[1] == nil || parts[2] == nil {
		return nil
	}
	sum := sha256.Sum256(bytes.Join(parts[:], nil))
	return sum[:]
}
