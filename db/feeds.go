package db

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// FeedBuild is one build as a feed entry or a badge shows it: no console,
// no script, just who, where, when, how it ended and its main binary.
type FeedBuild struct {
	ID         int64
	UUID       string
	Job        string
	Platform   string
	Start      time.Time
	Finish     time.Time
	ResultCode int64
	ResultMsg  *string
	Main       *BuildArtifact // nil for a failed build
}

// feedColumns are scanned by scanFeedBuild, in this order.
const feedColumns = `build.id, build.uuid, job.name, build.platform,
	build.start_d, build.start_ps, build.finish_d, build.finish_ps,
	build.result_code, build.result_msg,
	build_artifact.id, build_artifact.filepath, build_artifact.sha256, build_artifact.size`

// The feed and badge queries; plan_test.go checks each uses an index.
const (
	// The newest uploads of all jobs. No index orders all builds by start
	// time, but the rowid is the upload order, which is what a feed reader
	// wants to see first anyway. The id bound makes the plan a range of the
	// primary key that stops after limit rows.
	sqlFeedAll = `SELECT ` + feedColumns + `
	FROM build
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.id < ?
	ORDER BY build.id DESC
	LIMIT ?`

	// A job's newest builds by start time, a range of idx_build_job_start.
	sqlFeedJob = `SELECT ` + feedColumns + `
	FROM build
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.job = ?
	ORDER BY build.start_d DESC, build.start_ps DESC
	LIMIT ?`

	// The newest failed builds of all jobs, a range of the partial index
	// idx_build_failed_start from a (start, id) bound, as /failed-builds
	// pages it. INDEXED BY because without statistics SQLite prefers
	// idx_build_main_binary and then sorts every failed build.
	sqlFeedFailed = `SELECT ` + feedColumns + `
	FROM build INDEXED BY idx_build_failed_start
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.main_binary IS NULL
		AND (build.start_d, build.start_ps, build.id) < (?, ?, ?)
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id DESC
	LIMIT ?`

	// The newest build of a job on each of its platforms. The recursive
	// part skips through idx_build_job_platform one platform at a time, and
	// each platform's newest build is one more seek in the same index, so
	// the cost grows with the platforms, not with the builds.
	sqlBadgeLatest = `WITH RECURSIVE p(platform) AS (
		SELECT (SELECT min(platform) FROM build WHERE job = ?)
		UNION ALL
		SELECT (SELECT min(platform) FROM build WHERE job = ? AND platform > p.platform)
		FROM p WHERE p.platform IS NOT NULL
	)
	SELECT ` + feedColumns + `
	FROM p
	JOIN build ON build.id = (SELECT newest.id FROM build AS newest
		WHERE newest.job = ? AND newest.platform = p.platform
		ORDER BY newest.start_d DESC, newest.start_ps DESC LIMIT 1)
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE p.platform IS NOT NULL AND (? = '' OR p.platform = ?)
	ORDER BY p.platform`
)

// FeedBuilds returns the newest uploads of all jobs, newest first.
func (d *DB) FeedBuilds(ctx context.Context, limit int) ([]FeedBuild, error) {
	return d.feedQuery(ctx, "newest builds", sqlFeedAll, int64(math.MaxInt64), limit)
}

// JobFeedBuilds returns a job's newest builds by start time.
func (d *DB) JobFeedBuilds(ctx context.Context, jobID int64, limit int) ([]FeedBuild, error) {
	return d.feedQuery(ctx, fmt.Sprintf("newest builds of job %d", jobID), sqlFeedJob, jobID, limit)
}

// FailedFeedBuilds returns the newest failed builds of all jobs by start time.
func (d *DB) FailedFeedBuilds(ctx context.Context, limit int) ([]FeedBuild, error) {
	end := int64(math.MaxInt64)
	return d.feedQuery(ctx, "newest failed builds", sqlFeedFailed, end, end, end, limit)
}

// LatestPerPlatform returns the newest build of a job on each platform, by
// platform name; only that platform's when platform is not empty.
// Arguments of sqlBadgeLatest: the job three times, the platform twice.
func (d *DB) LatestPerPlatform(ctx context.Context, jobID int64, platform string) ([]FeedBuild, error) {
	return d.feedQuery(ctx, fmt.Sprintf("latest builds of job %d", jobID), sqlBadgeLatest,
		jobID, jobID, jobID, platform, platform)
}

func (d *DB) feedQuery(ctx context.Context, what, query string, args ...any) ([]FeedBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(query), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []FeedBuild
	for rows.Next() {
		b, err := scanFeedBuild(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func scanFeedBuild(rows *sql.Rows) (FeedBuild, error) {
	var (
		b                FeedBuild
		sd, sps, fd, fps int64
		mainID, mainSize sql.NullInt64
		mainPath         sql.NullString
		mainSHA          []byte
	)
	if err := rows.Scan(&b.ID, &b.UUID, &b.Job, &b.Platform, &sd, &sps, &fd, &fps,
		&b.ResultCode, &b.ResultMsg, &mainID, &mainPath, &mainSHA, &mainSize); err != nil {
		return b, err
	}
	b.Start, b.Finish = TimeFromPtime(sd, sps), TimeFromPtime(fd, fps)
	if mainID.Valid {
		b.Main = &BuildArtifact{ID: mainID.Int64, Filepath: mainPath.String,
			SHA256: mainSHA, Size: mainSize.Int64, BuildID: b.ID}
	}
	return b, nil
}
