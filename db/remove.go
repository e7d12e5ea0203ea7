package db

import (
	"context"
	"fmt"
)

// Queries on the big tables, checked by plan_test.go.
const (
	sqlJobBuildUUIDs     = "SELECT uuid FROM build WHERE job = ? ORDER BY id"
	sqlJobArtifactHashes = `SELECT DISTINCT sha256 FROM build_artifact
		WHERE build IN (SELECT id FROM build WHERE job = ?)`
	sqlDeleteJobArtifacts = "DELETE FROM build_artifact WHERE build IN (SELECT id FROM build WHERE job = ?)"
	sqlDeleteJobBuilds    = "DELETE FROM build WHERE job = ?"
)

// RemovedBuilds is what the caller deletes from the data directory after
// RemoveJob, in the same transaction.
type RemovedBuilds struct {
	// Builds is how many builds were removed.
	Builds int
	// Dirs are the console/script directories "<job>/<uuid>", relative to
	// the data directory.
	Dirs []string
	// Unreferenced are the sha256s (32 raw bytes) whose artifact files no
	// remaining row references: _artifacts/xx/<hex> of each can go.
	Unreferenced [][]byte
}

// RemoveJob deletes a job with its builds, artifact rows, access-list rows
// and tags (reference builder-db job-remove). Unknown jobs are ErrJobNotFound.
func (d *DB) RemoveJob(ctx context.Context, wtx *Tx, name string) (RemovedBuilds, error) {
	tx := wtx.tx
	var out RemovedBuilds
	job, err := jobBy(ctx, tx, d.dialect, sqlJobByName, name)
	if err != nil {
		return out, fmt.Errorf("remove job %s: %w", name, err)
	}

	var uuids []string
	if err := tx.NewRaw(d.sql(sqlJobBuildUUIDs), job.ID).Scan(ctx, &uuids); err != nil {
		return out, fmt.Errorf("remove job %s: list builds: %w", name, err)
	}
	for _, u := range uuids {
		out.Dirs = append(out.Dirs, job.Name+"/"+u)
	}
	out.Builds = len(uuids)

	// Distinct hashes of the job's artifacts, collected before the rows go;
	// whether another job still uses each is asked afterwards.
	var hashes [][]byte
	if err := tx.NewRaw(d.sql(sqlJobArtifactHashes), job.ID).Scan(ctx, &hashes); err != nil {
		return out, fmt.Errorf("remove job %s: list artifacts: %w", name, err)
	}

	// build.main_binary points at build_artifact, but the constraint is
	// deferred to commit, by when both rows are gone.
	steps := []struct{ what, query string }{
		{"artifacts", sqlDeleteJobArtifacts},
		{"builds", sqlDeleteJobBuilds},
		{"access list", "DELETE FROM access_list WHERE job = ?"},
		{"tags", "DELETE FROM job_tag WHERE job = ?"},
		{"job", "DELETE FROM job WHERE id = ?"},
	}
	for _, s := range steps {
		if _, err := tx.NewRaw(d.sql(s.query), job.ID).Exec(ctx); err != nil {
			return out, fmt.Errorf("remove job %s: delete %s: %w", name, s.what, err)
		}
	}

	for _, h := range hashes {
		used, err := artifactExistsIn(ctx, tx, d.dialect, h)
		if err != nil {
			return out, fmt.Errorf("remove job %s: %w", name, err)
		}
		if !used {
			out.Unreferenced = append(out.Unreferenced, h)
		}
	}
	return out, nil
}
