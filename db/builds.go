package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// BuildInfo is a build with what its page shows next to it.
type BuildInfo struct {
	Build
	JobName  string
	Username string         // uploader; empty if the user row is gone
	Main     *BuildArtifact // nil for a failed build
}

// The lookups below are constants so that plan_test.go can check with
// EXPLAIN QUERY PLAN that each one uses an index.
const (
	sqlBuildByUUID = `SELECT build.id, build.uuid, build.start_d, build.start_ps,
		build.finish_d, build.finish_ps, build.result_code, build.result_msg,
		build.console, build.script, build.platform, build.main_binary,
		build."user", build.job, build.input_id,
		job.name, "user".username,
		build_artifact.id, build_artifact.filepath, build_artifact.sha256, build_artifact.size
	FROM build
	JOIN job ON job.id = build.job
	LEFT JOIN "user" ON "user".id = build."user"
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.uuid = ?`

	sqlArtifacts = `SELECT id, filepath, sha256, size, build FROM build_artifact
	WHERE build = ? ORDER BY id`

	// One page of a build's artifacts (the build page): the rowid is the
	// second column of idx_build_artifact_build, so the index gives the
	// order and the start.
	sqlArtifactsAfter = `SELECT id, filepath, sha256, size, build FROM build_artifact
	WHERE build = ? AND id > ? ORDER BY id LIMIT ?`

	sqlCountBuildArtifacts = `SELECT count(*) FROM build_artifact WHERE build = ?`

	sqlArtifactByPath = `SELECT build_artifact.id, build_artifact.filepath,
		build_artifact.sha256, build_artifact.size, build_artifact.build
	FROM build_artifact
	JOIN build ON build.id = build_artifact.build
	WHERE build.uuid = ? AND build_artifact.filepath = ?`

	// job_tag's only index is UNIQUE(tag, job), so the few tag names drive
	// the loop (CROSS JOIN fixes that order in SQLite) and each probes
	// (tag, job); starting from job_tag would read all of it. The join's
	// condition stands in WHERE: PostgreSQL has no CROSS JOIN … ON.
	sqlJobTags = `SELECT tag.tag, job_tag.value FROM tag
	CROSS JOIN job_tag WHERE job_tag.tag = tag.id AND job_tag.job = ?`

	sqlJobByName = "SELECT id, name FROM job WHERE name = ?"
)

// BuildByUUID returns the build with this UUID (any case), its job name, its
// uploader and its main binary.
func (d *DB) BuildByUUID(ctx context.Context, uuid string) (*BuildInfo, error) {
	uuid = NormalizeUUID(uuid)
	var (
		bi       BuildInfo
		username sql.NullString
		mainID   sql.NullInt64
		mainPath sql.NullString
		mainSHA  []byte
		mainSize sql.NullInt64
	)
	b := &bi.Build
	err := d.read.QueryRowContext(ctx, d.sql(sqlBuildByUUID), uuid).Scan(
		&b.ID, &b.UUID, &b.StartD, &b.StartPS, &b.FinishD, &b.FinishPS,
		&b.ResultCode, &b.ResultMsg, &b.Console, &b.Script, &b.Platform,
		&b.MainBinary, &b.UserID, &b.JobID, &b.InputID,
		&bi.JobName, &username,
		&mainID, &mainPath, &mainSHA, &mainSize)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("build %s: %w", uuid, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", uuid, err)
	}
	bi.Username = username.String
	if mainID.Valid {
		bi.Main = &BuildArtifact{ID: mainID.Int64, Filepath: mainPath.String,
			SHA256: mainSHA, Size: mainSize.Int64, BuildID: b.ID}
	}
	return &bi, nil
}

// Artifacts returns a build's artifacts in database order (id ascending: the
// main binary first, then upload order).
func (d *DB) Artifacts(ctx context.Context, buildID int64) ([]BuildArtifact, error) {
	var arts []BuildArtifact
	if err := d.read.NewRaw(d.sql(sqlArtifacts), buildID).Scan(ctx, &arts); err != nil {
		return nil, fmt.Errorf("artifacts of build %d: %w", buildID, err)
	}
	return arts, nil
}

// ArtifactsAfter returns at most limit of a build's artifacts in database
// order, starting after the artifact with id after (0: from the first).
func (d *DB) ArtifactsAfter(ctx context.Context, buildID, after int64, limit int) ([]BuildArtifact, error) {
	var arts []BuildArtifact
	if err := d.read.NewRaw(d.sql(sqlArtifactsAfter), buildID, after, limit).Scan(ctx, &arts); err != nil {
		return nil, fmt.Errorf("artifacts of build %d after %d: %w", buildID, after, err)
	}
	return arts, nil
}

// CountArtifacts counts a build's artifacts.
func (d *DB) CountArtifacts(ctx context.Context, buildID int64) (int, error) {
	var n int
	if err := d.read.QueryRowContext(ctx, d.sql(sqlCountBuildArtifacts), buildID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count artifacts of build %d: %w", buildID, err)
	}
	return n, nil
}

// ArtifactByPath returns the artifact stored under path by the build with
// this UUID.
func (d *DB) ArtifactByPath(ctx context.Context, uuid, path string) (*BuildArtifact, error) {
	uuid = NormalizeUUID(uuid)
	var a BuildArtifact
	if err := d.read.NewRaw(d.sql(sqlArtifactByPath), uuid, path).Scan(ctx, &a); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("artifact %s of build %s: %w", path, uuid, ErrNotFound)
		}
		return nil, fmt.Errorf("artifact %s of build %s: %w", path, uuid, err)
	}
	return &a, nil
}

// JobTags returns a job's tags by name (section, synopsis, description,
// readme.md); missing tags are absent.
func (d *DB) JobTags(ctx context.Context, jobID int64) (map[string]string, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlJobTags), jobID)
	if err != nil {
		return nil, fmt.Errorf("tags of job %d: %w", jobID, err)
	}
	defer rows.Close()
	tags := make(map[string]string)
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("tags of job %d: %w", jobID, err)
		}
		tags[name] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tags of job %d: %w", jobID, err)
	}
	return tags, nil
}

// JobByName returns the job with this name, or ErrJobNotFound.
func (d *DB) JobByName(ctx context.Context, name string) (*Job, error) {
	return jobBy(ctx, d.read, d.dialect, sqlJobByName, name)
}

func jobBy(ctx context.Context, q bun.IDB, dl dialect, query string, arg any) (*Job, error) {
	var j Job
	if err := q.NewRaw(dl.sql(query), arg).Scan(ctx, &j); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("job %v: %w", arg, ErrJobNotFound)
		}
		return nil, fmt.Errorf("job %v: %w", arg, err)
	}
	return &j, nil
}
