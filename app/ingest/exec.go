package ingest

import (
	"bytes"
	"context"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
)

// PrepareExec is Prepare for a record held in memory (builder-db
// generate): the same checks, rows and files, without spooling what is in
// memory already, and without writing the artifacts that are stored
// already (see store.PutBytes). The caller checks beforehand that the
// UUID is not stored (db.ExistingBuilds, in bulk); Commit refuses a
// duplicate in any case. Files are written in place before the commit
// (store.StageDirect): a load that is rerun, not recovered, after a crash.
// rec must not change until the upload is committed or aborted.
func (in *Ingester) PrepareExec(ctx context.Context, rec *builder.Exec, u Uploader) (*Pending, error) {
	h := &rec.Header
	buildFiles := func(st *store.Staging) error { return writeBuildFiles(st, h) }
	return in.stage(ctx, h, u, true, buildFiles, func(st *store.Staging, up *upload) error {
		for _, f := range rec.Files {
			if err := up.addBytes(st, f.Path, f.Data); err != nil {
				return err
			}
		}
		return nil
	})
}

// addBytes is add for a file held in memory, which is staged with
// PutBytes.
func (up *upload) addBytes(st *store.Staging, p string, b []byte) error {
	return up.addFile(st, p, bytes.NewReader(b), b, true)
}
