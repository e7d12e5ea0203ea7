// Package export rebuilds a stored build's builder record from the database
// and the data directory, for `builder-db extract-build` and the /exec
// endpoint (upload-format.md §6).
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Errors with the reference's wording; callers match them with errors.Is.
var (
	ErrBadUUID       = errors.New("bad uuid")
	ErrBuildNotFound = errors.New("build not found")
)

// Record is a stored build ready to be encoded. Its Header has neither
// script nor console: those are streamed from script.txt and console.txt,
// which the Record holds open until Close, so that memory does not grow
// with them.
type Record struct {
	Header *builder.Header
	// Files are the output files in record order; callers may add some
	// (/exec puts the job's README first).
	Files   []builder.FileSource
	script  *os.File
	console *os.File
}

// Build returns the record of the build with this UUID (any case): job
// name and platform from the database, the script from script.txt, the
// console parsed back from console.txt (millisecond precision, newest
// first) when the record is encoded, times and the result through their
// database encodings, and every stored artifact in reverse database order,
// read from _artifacts when the record is encoded. README.md and
// *.build-hashes were never stored and are not part of it; /exec adds the
// job's README itself. The caller must Close the record.
//
// Every artifact file is checked to exist with its recorded size, so that
// a missing or truncated file is an error here rather than half-way
// through writing the record.
func Build(ctx context.Context, d *db.DB, st *store.Store, uuid string) (*Record, error) {
	id, err := builder.ParseUUID(uuid)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrBadUUID, uuid)
	}
	uuid = builder.UUIDString(id)
	b, err := d.BuildByUUID(ctx, uuid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrBuildNotFound, uuid)
	}
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", uuid, err)
	}
	arts, err := d.Artifacts(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", uuid, err)
	}
	files := make([]builder.FileSource, 0, len(arts))
	for i := len(arts) - 1; i >= 0; i-- {
		a := arts[i]
		if err := checkArtifact(st, a); err != nil {
			return nil, fmt.Errorf("export %s: %w", uuid, err)
		}
		sha := a.SHA256
		files = append(files, builder.FileSource{
			Path: a.Filepath,
			Size: a.Size,
			Open: func() (io.ReadCloser, error) { return st.OpenArtifact(sha) },
		})
	}
	r := &Record{
		Header: &builder.Header{
			Job:    builder.Job{Name: b.JobName, Platform: b.Platform},
			UUID:   id,
			Start:  b.Start(),
			Finish: b.Finish(),
			Result: builder.UnpackResult(b.ResultCode, b.ResultMsg),
		},
		Files: files,
	}
	if r.script, err = st.Open(b.Script); err != nil {
		return nil, fmt.Errorf("export %s: script: %w", uuid, err)
	}
	if r.console, err = st.Open(b.Console); err != nil {
		r.script.Close()
		return nil, fmt.Errorf("export %s: console: %w", uuid, err)
	}
	return r, nil
}

// Encode streams the record to w. On an error part of the record may have
// been written; w must then be discarded.
func (r *Record) Encode(w io.Writer) error {
	uuid := builder.UUIDString(r.Header.UUID)
	script, err := section(r.script)
	if err != nil {
		return fmt.Errorf("export %s: script: %w", uuid, err)
	}
	console, err := section(r.console)
	if err != nil {
		return fmt.Errorf("export %s: console: %w", uuid, err)
	}
	if err := builder.EncodeStored(w, r.Header, script, console, r.Files); err != nil {
		return fmt.Errorf("export %s: %w", uuid, err)
	}
	return nil
}

// Close releases the record's open files.
func (r *Record) Close() error {
	serr := r.script.Close()
	if err := r.console.Close(); err != nil {
		return err
	}
	return serr
}

// section is all of f as it is now.
func section(f *os.File) (*io.SectionReader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return io.NewSectionReader(f, 0, fi.Size()), nil
}

// WriteBuild streams the record of Build to w. On an error part of the
// record may have been written; w must then be discarded.
func WriteBuild(ctx context.Context, w io.Writer, d *db.DB, st *store.Store, uuid string) error {
	r, err := Build(ctx, d, st, uuid)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Encode(w)
}

func checkArtifact(st *store.Store, a db.BuildArtifact) error {
	if len(a.SHA256) != 32 {
		return fmt.Errorf("artifact %s: stored hash has %d bytes", a.Filepath, len(a.SHA256))
	}
	fi, err := os.Stat(st.ArtifactPath(a.SHA256))
	if err != nil {
		return fmt.Errorf("artifact %s: %w", a.Filepath, err)
	}
	if fi.Size() != a.Size {
		return fmt.Errorf("artifact %s: %s has %d bytes, the database says %d",
			a.Filepath, store.ArtifactRel(a.SHA256), fi.Size(), a.Size)
	}
	return nil
}
