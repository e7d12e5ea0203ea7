package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// JobRemoval is what RemoveJob did.
type JobRemoval struct {
	db.RemovedBuilds
	// Problems are files or directories that could not be deleted. The
	// rows are gone regardless, so these are unreferenced leftovers that
	// verify-data-dir reports and the server's garbage collection removes.
	Problems []error
	// DeletedArtifacts counts the artifact files deleted.
	DeletedArtifacts int
}

// RemoveJob deletes a job, its builds, their console/script directories and
// the artifact files no other build references, in one write transaction
// (reference §11.2 job-remove, product §6.2 rule 4: no upload can add a
// reference to a file between the check and its deletion). An unknown job
// is db.ErrJobNotFound.
//
// A file that cannot be deleted does not roll the transaction back: the
// file would already be half gone, and rows pointing at missing files are
// worse than files no row points at. It is reported in Problems.
func RemoveJob(ctx context.Context, d *db.DB, st *store.Store, name string) (JobRemoval, error) {
	var out JobRemoval
	err := d.WriteTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		out = JobRemoval{}
		rb, err := d.RemoveJob(ctx, tx, name)
		if err != nil {
			return err
		}
		out.RemovedBuilds = rb
		var dirs []buildDir
		for _, dir := range rb.Dirs {
			job, uuid, ok := strings.Cut(dir, "/")
			if !ok {
				out.Problems = append(out.Problems, fmt.Errorf("build directory %q: unexpected form", dir))
				continue
			}
			dirs = append(dirs, buildDir{job: job, uuid: uuid})
		}
		deleted, problems := deleteBuildFiles(st, dirs, rb.Unreferenced)
		out.DeletedArtifacts += deleted
		out.Problems = append(out.Problems, problems...)
		return nil
	})
	if err != nil {
		return JobRemoval{}, err
	}
	return out, nil
}
