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

// maxText bounds how much of console.txt or script.txt is read into memory.
const maxText = 256 << 20

// Build returns the record of the build with this UUID (any case): job
// name and platform from the database, the script from script.txt, the
// console parsed back from console.txt (millisecond precision, newest
// first), times and the result through their database encodings, and every
// stored artifact in reverse database order, read from _artifacts when the
// record is encoded. README.md and *.build-hashes were never stored and are
// not part of it; /exec adds the job's README itself.
//
// Every artifact file is checked to exist with its recorded size, so that
// a missing or truncated file is an error here rather than half-way
// through writing the record.
func Build(ctx context.Context, d *db.DB, st *store.Store, uuid string) (*builder.Header, []builder.FileSource, error) {
	id, err := builder.ParseUUID(uuid)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %q", ErrBadUUID, uuid)
	}
	uuid = builder.UUIDString(id)
	b, err := d.BuildByUUID(ctx, uuid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: %s", ErrBuildNotFound, uuid)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: %w", uuid, err)
	}
	script, err := readFile(st, b.Script, maxText)
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: script: %w", uuid, err)
	}
	console, err := readFile(st, b.Console, maxText)
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: console: %w", uuid, err)
	}
	h := &builder.Header{
		Job:     builder.Job{Name: b.JobName, Script: string(script), Platform: b.Platform},
		UUID:    id,
		Console: builder.ParseConsole(console),
		Start:   b.Start(),
		Finish:  b.Finish(),
		Result:  builder.UnpackResult(b.ResultCode, b.ResultMsg),
	}

	arts, err := d.Artifacts(ctx, b.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: %w", uuid, err)
	}
	files := make([]builder.FileSource, 0, len(arts))
	for i := len(arts) - 1; i >= 0; i-- {
		a := arts[i]
		if err := checkArtifact(st, a); err != nil {
			return nil, nil, fmt.Errorf("export %s: %w", uuid, err)
		}
		sha := a.SHA256
		files = append(files, builder.FileSource{
			Path: a.Filepath,
			Size: a.Size,
			Open: func() (io.ReadCloser, error) { return st.OpenArtifact(sha) },
		})
	}
	return h, files, nil
}

// WriteBuild streams the record of Build to w. On an error part of the
// record may have been written; w must then be discarded.
func WriteBuild(ctx context.Context, w io.Writer, d *db.DB, st *store.Store, uuid string) error {
	h, files, err := Build(ctx, d, st, uuid)
	if err != nil {
		return err
	}
	if err := builder.EncodeTo(w, h, files); err != nil {
		return fmt.Errorf("export %s: %w", builder.UUIDString(h.UUID), err)
	}
	return nil
}

func readFile(st *store.Store, rel string, limit int64) ([]byte, error) {
	f, err := st.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", rel, limit)
	}
	return b, nil
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
