package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// VacuumBuild is a build that vacuum considers: what is needed to remove it
// and to tell the operator which build it was.
type VacuumBuild struct {
	ID       int64
	UUID     string
	Job      string // filled by RemoveBuilds; the selection queries leave it empty
	Platform string
	Start    time.Time
	Finish   time.Time
	// Successful means the build has a main binary (reference §15.1).
	Successful bool
}

// The selections of `builder-db vacuum` (reference §11.2, §13.3). Each
// reads one job's builds through idx_build_job_start; an empty platform
// means every platform. Newest first, as the reference returns them.
const (
	vacuumColumns = `build.id, build.uuid, build.platform, build.start_d, build.start_ps,
		build.finish_d, build.finish_ps, build.main_binary IS NOT NULL`

	// Finish time, inclusive (reference §15.12).
	sqlVacuumOlderThan = `SELECT ` + vacuumColumns + ` FROM build
	WHERE build.job = ? AND (? = '' OR build.platform = ?)
		AND (build.finish_d, build.finish_ps) <= (?, ?)
	ORDER BY build.start_d DESC, build.start_ps DESC`

	// LIMIT -1 is "no limit"; a negative OFFSET counts as 0 in SQLite, which
	// the reference's tests rely on (n = -1 selects every build).
	sqlVacuumExceptLatest = `SELECT ` + vacuumColumns + ` FROM build
	WHERE build.job = ? AND (? = '' OR build.platform = ?)
	ORDER BY build.start_d DESC, build.start_ps DESC
	LIMIT -1 OFFSET ?`

	sqlVacuumNthSuccessful = `SELECT ` + vacuumColumns + ` FROM build
	WHERE build.job = ? AND (? = '' OR build.platform = ?) AND build.main_binary IS NOT NULL
	ORDER BY build.start_d DESC, build.start_ps DESC
	LIMIT 1 OFFSET ?`

	// Every job, for a vacuum without --job. The job table is small (one
	// row per job, not per build); reading all of it is the point.
	sqlAllJobs = "SELECT id, name FROM job ORDER BY name"

	// The removal of one batch, given as a JSON array of build ids
	// (json_each keeps the statements constant). The builds are selected
	// again inside the write transaction: another writer may have removed
	// some since they were chosen.
	sqlVacuumBuildsIn = `SELECT ` + vacuumColumns + `, job.name
	FROM json_each(?) ids
	JOIN build ON build.id = ids.value
	JOIN job ON job.id = build.job
	ORDER BY build.start_d, build.start_ps, build.id`
	sqlArtifactHashesIn = `SELECT DISTINCT build_artifact.sha256
	FROM json_each(?) ids
	JOIN build_artifact ON build_artifact.build = ids.value`
	sqlDeleteArtifactsIn = "DELETE FROM build_artifact WHERE build IN (SELECT value FROM json_each(?))"
	sqlDeleteBuildsIn    = "DELETE FROM build WHERE id IN (SELECT value FROM json_each(?))"
)

// AllJobs returns every job, by name.
func (d *DB) AllJobs(ctx context.Context) ([]Job, error) {
	var jobs []Job
	if err := d.read.NewRaw(d.sql(sqlAllJobs)).Scan(ctx, &jobs); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// BuildsOlderThan returns the job's builds (on platform, or all when
// empty) that finished at or before t, newest first.
func (d *DB) BuildsOlderThan(ctx context.Context, jobID int64, platform string, t time.Time) ([]VacuumBuild, error) {
	fd, fps := PtimeFromTime(t)
	bs, err := d.vacuumSelect(ctx, sqlVacuumOlderThan, jobID, platform, platform, fd, fps)
	if err != nil {
		return nil, fmt.Errorf("builds of job %d finished before %s: %w", jobID, t.Format(time.RFC3339), err)
	}
	return bs, nil
}

// BuildsExceptLatest returns the job's builds (on platform, or all when
// empty) except the n most recently started, newest first. n ≤ 0 keeps
// none, as in the reference.
func (d *DB) BuildsExceptLatest(ctx context.Context, jobID int64, platform string, n int) ([]VacuumBuild, error) {
	// SQLite reads a negative OFFSET as 0; PostgreSQL refuses it.
	bs, err := d.vacuumSelect(ctx, sqlVacuumExceptLatest, jobID, platform, platform, max(n, 0))
	if err != nil {
		return nil, fmt.Errorf("builds of job %d except the latest %d: %w", jobID, n, err)
	}
	return bs, nil
}

// NthLatestSuccessful returns the n-th (from 1) most recently started
// successful build of the job (on platform, or any when empty), or nil
// when the job has fewer than n.
func (d *DB) NthLatestSuccessful(ctx context.Context, jobID int64, platform string, n int) (*VacuumBuild, error) {
	if n < 1 {
		return nil, fmt.Errorf("n-th latest successful build: n = %d, want at least 1", n)
	}
	bs, err := d.vacuumSelect(ctx, sqlVacuumNthSuccessful, jobID, platform, platform, n-1)
	if err != nil {
		return nil, fmt.Errorf("successful build %d of job %d: %w", n, jobID, err)
	}
	if len(bs) == 0 {
		return nil, nil
	}
	return &bs[0], nil
}

func (d *DB) vacuumSelect(ctx context.Context, query string, args ...any) ([]VacuumBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VacuumBuild
	for rows.Next() {
		b, err := scanVacuumBuild(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func scanVacuumBuild(r scanner, extra ...any) (VacuumBuild, error) {
	var (
		b                VacuumBuild
		sd, sps, fd, fps int64
	)
	dest := append([]any{&b.ID, &b.UUID, &b.Platform, &sd, &sps, &fd, &fps, &b.Successful}, extra...)
	if err := r.Scan(dest...); err != nil {
		return b, err
	}
	b.Start = TimeFromPtime(sd, sps)
	b.Finish = TimeFromPtime(fd, fps)
	return b, nil
}

// RemoveBuilds deletes the builds with these ids and their artifact rows in
// tx. Ids that no longer exist are skipped. It returns the builds removed
// (oldest first) and, in RemovedBuilds, their "<job>/<uuid>" directories and
// the hashes no remaining artifact row references, which the caller deletes
// from the data directory before tx commits (product §6.2 rule 4).
func (d *DB) RemoveBuilds(ctx context.Context, wtx *Tx, ids []int64) ([]VacuumBuild, RemovedBuilds, error) {
	tx := wtx.tx
	var rb RemovedBuilds
	if len(ids) == 0 {
		return nil, rb, nil
	}
	arr, err := json.Marshal(ids)
	if err != nil {
		return nil, rb, fmt.Errorf("remove builds: %w", err)
	}
	rows, err := tx.QueryContext(ctx, d.sql(sqlVacuumBuildsIn), string(arr))
	if err != nil {
		return nil, rb, fmt.Errorf("remove builds: select: %w", err)
	}
	var removed []VacuumBuild
	for rows.Next() {
		var job string
		b, err := scanVacuumBuild(rows, &job)
		if err != nil {
			rows.Close()
			return nil, rb, fmt.Errorf("remove builds: select: %w", err)
		}
		b.Job = job
		removed = append(removed, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, rb, fmt.Errorf("remove builds: select: %w", err)
	}
	if len(removed) == 0 {
		return nil, rb, nil
	}
	found := make([]int64, len(removed))
	for i, b := range removed {
		found[i] = b.ID
		rb.Dirs = append(rb.Dirs, b.Job+"/"+b.UUID)
	}
	rb.Builds = len(removed)
	if arr, err = json.Marshal(found); err != nil {
		return nil, rb, fmt.Errorf("remove builds: %w", err)
	}

	// Hashes are collected before their rows go; whether another build
	// still uses each is asked afterwards, in the same transaction.
	var hashes [][]byte
	if err := tx.NewRaw(d.sql(sqlArtifactHashesIn), string(arr)).Scan(ctx, &hashes); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, rb, fmt.Errorf("remove builds: list artifacts: %w", err)
	}
	// Artifacts first: build_artifact.build is checked at once, while
	// build.main_binary is deferred to the commit, by when both are gone.
	if _, err := tx.ExecContext(ctx, d.sql(sqlDeleteArtifactsIn), string(arr)); err != nil {
		return nil, rb, fmt.Errorf("remove builds: delete artifacts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, d.sql(sqlDeleteBuildsIn), string(arr)); err != nil {
		return nil, rb, fmt.Errorf("remove builds: delete builds: %w", err)
	}
	for _, h := range hashes {
		used, err := artifactExistsIn(ctx, tx, d.dialect, h)
		if err != nil {
			return nil, rb, fmt.Errorf("remove builds: %w", err)
		}
		if !used {
			rb.Unreferenced = append(rb.Unreferenced, h)
		}
	}
	return removed, rb, nil
}
