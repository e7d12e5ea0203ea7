package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The overview pages' queries (reference §6.1–6.4, §8). Each is a constant so
// that plan_test.go can check that it uses an index; the indices they need
// beyond the reference's come from migration 0004.

// listColumns are the build, job and main-binary columns that lists show,
// scanned by scanListRow. Queries select them from build JOIN job LEFT JOIN
// build_artifact ON build_artifact.id = build.main_binary.
const listColumns = `build.id, build.uuid, build.start_d, build.start_ps,
		build.finish_d, build.finish_ps, build.result_code, build.result_msg,
		build.platform, build.main_binary, build.job, job.name,
		build_artifact.id, build_artifact.filepath, build_artifact.sha256, build_artifact.size`

type scanner interface{ Scan(dest ...any) error }

func scanListRow(r scanner, extra ...any) (BuildInfo, error) {
	return newListScanner(extra...).scan(r)
}

// listScanner scans list rows into the same destinations row after row:
// the front page scans 400, and a destination list per row was a good part
// of its allocations.
type listScanner struct {
	bi       BuildInfo
	mainID   sql.NullInt64
	mainPath sql.NullString
	mainSHA  []byte
	mainSize sql.NullInt64
	dest     []any
}

// newListScanner returns a scanner of listColumns followed by extra.
func newListScanner(extra ...any) *listScanner {
	s := &listScanner{}
	b := &s.bi.Build
	s.dest = append([]any{&b.ID, &b.UUID, &b.StartD, &b.StartPS, &b.FinishD, &b.FinishPS,
		&b.ResultCode, &b.ResultMsg, &b.Platform, &b.MainBinary, &b.JobID, &s.bi.JobName,
		&s.mainID, &s.mainPath, &s.mainSHA, &s.mainSize}, extra...)
	return s
}

func (s *listScanner) scan(r scanner) (BuildInfo, error) {
	s.bi = BuildInfo{}
	s.mainSHA = nil // Scan stores a copy; never overwrite the previous row's
	if err := r.Scan(s.dest...); err != nil {
		return BuildInfo{}, err
	}
	bi := s.bi
	if s.mainID.Valid {
		bi.Main = &BuildArtifact{ID: s.mainID.Int64, Filepath: s.mainPath.String,
			SHA256: s.mainSHA, Size: s.mainSize.Int64, BuildID: bi.ID}
	}
	return bi, nil
}

const (
	// sqlJobScan and sqlJobScanPlatform read a job's builds in the job
	// page's order (start descending, then id) from a position on, with the
	// main binary's hash: the job page reads them until it has a page of
	// outputs. Only the index and the artifact's primary key are read.
	// At most jobScanChunk builds per query: PostgreSQL computes a result
	// to its end even when the reader stops early (sorted, then sent and
	// drained), so without a LIMIT each job page read the job's whole
	// history (2,000 builds, 60–390 ms on the 200,000-build set).
	// Arguments: job, [platform,] the position's start_d twice, start_ps
	// twice and id (the builds after it), the limit.
	sqlJobScan = `SELECT build.id, build.start_d, build.start_ps, build_artifact.sha256
	FROM build LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.job = ? AND build.start_d <= ?
		AND (build.start_d < ? OR build.start_ps < ? OR (build.start_ps = ? AND build.id > ?))
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id
	LIMIT ?`
	sqlJobScanPlatform = `SELECT build.id, build.start_d, build.start_ps, build_artifact.sha256
	FROM build LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.job = ? AND build.platform = ? AND build.start_d <= ?
		AND (build.start_d < ? OR build.start_ps < ? OR (build.start_ps = ? AND build.id > ?))
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id
	LIMIT ?`

	// sqlJobHeads returns the list rows of the builds whose ids are in the
	// JSON array given, each with the number of builds of its job (on the
	// platform, unless that is '') that have the same main binary, and how
	// many of those are at or before a position of the page order (none when
	// the position is NULL): the candidates of a job page's entries. The
	// builds with the hash are found from the hash's index, a few per output,
	// never from the job's history. Arguments: the position's start_d twice,
	// start_ps twice and id; the ids; the platform twice.
	sqlJobHeads = `SELECT ` + listColumns + `, count(b.id),
		coalesce(sum(b.start_d > ? OR (b.start_d = ? AND (b.start_ps > ? OR (b.start_ps = ? AND b.id <= ?)))), 0)
	FROM json_each(?) ids
	JOIN build ON build.id = ids.value
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	LEFT JOIN build_artifact a ON a.sha256 = build_artifact.sha256
	LEFT JOIN build b ON b.id = a.build AND b.main_binary = a.id AND b.job = build.job
		AND (? = '' OR b.platform = ?)
	GROUP BY build.id`

	// sqlOutputBuilds lists a job's builds whose main binary has this hash.
	// CROSS JOIN starts from the few artifacts with that hash (in SQLite;
	// its condition stands in WHERE, as PostgreSQL has no CROSS JOIN …
	// ON); the other way round would read every build of the job.
	sqlOutputBuilds = `SELECT ` + listColumns + `
	FROM build_artifact
	CROSS JOIN build
	JOIN job ON job.id = build.job
	WHERE build.main_binary = build_artifact.id
	AND build_artifact.sha256 = ? AND build.job = ? AND (? = '' OR build.platform = ?)
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id`

	// sqlJobPlatforms lists a job's distinct platforms with one seek each.
	sqlJobPlatforms = `WITH RECURSIVE p(platform) AS (
		SELECT (SELECT min(platform) FROM build WHERE job = ?)
		UNION ALL
		SELECT (SELECT min(platform) FROM build WHERE job = ? AND platform > p.platform)
		FROM p WHERE p.platform IS NOT NULL
	)
	SELECT platform FROM p WHERE platform IS NOT NULL`

	// sqlLatest and sqlLatestPlatform find a job's newest successful build.
	sqlLatest = `SELECT uuid FROM build
	WHERE job = ? AND main_binary IS NOT NULL
	ORDER BY start_d DESC, start_ps DESC, id LIMIT 1`
	sqlLatestPlatform = `SELECT uuid FROM build
	WHERE job = ? AND platform = ? AND main_binary IS NOT NULL
	ORDER BY start_d DESC, start_ps DESC LIMIT 1`

	// sqlNewestWithHash finds the newest build having any artifact (not only a
	// main binary) with this hash (reference §8).
	sqlNewestWithHash = `SELECT job.name, build.uuid
	FROM build_artifact
	JOIN build ON build.id = build_artifact.build
	JOIN job ON job.id = build.job
	WHERE build_artifact.sha256 = ?
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id DESC LIMIT 1`

	// sqlMaxBuildID and the two counts tell pages how many builds arrived
	// since they were rendered: build ids only grow (AUTOINCREMENT), so
	// "newer" is a range of the primary key. The unary + keeps SQLite from
	// preferring the job index, which would read all of a job's builds.
	sqlMaxBuildID          = `SELECT coalesce(max(id), 0) FROM build`
	sqlCountBuildsSince    = `SELECT count(*) FROM build WHERE id > ?`
	sqlCountJobBuildsSince = `SELECT count(*) FROM build WHERE id > ? AND +job = ?`
)

// JobQuery selects the entries of a job page (reference §6.3).
type JobQuery struct {
	JobID    int64
	Platform string // "" for all platforms
	Failed   bool   // include failed builds (/job/:job/failed)
	After    *Cursor
	Limit    int // 0: all entries
}

// JobEntry is one row of a job page: a distinct output, shown by the newest
// build that produced it, or a failed build.
type JobEntry struct {
	BuildInfo
	// Count is how many builds of the job (on the page's platform) produced
	// this main binary; 1 for a failed build.
	Count int
}

// JobEntries returns one entry per distinct main-binary hash among the job's
// successful builds, ordered by the newest build having it, newest first
// (product §2.14); with q.Failed the failed builds are merged in by start
// time. The newest build is taken within the job and platform filter, so a
// link never names another job's build (reference §15.3 shows a build of any
// job with that hash). Entries after q.After, at most q.Limit of them; next is
// set when more follow.
//
// An output's place is that of its newest build, so the builds are read in
// page order from the cursor on, and the first build of each hash not seen
// before is a candidate: it heads its output unless an older page already
// showed the output, that is unless a build with the hash lies at or before
// the cursor. That check and the count of builds per output go through the
// hash index (a few builds per output), so a page reads about as many builds
// as it shows outputs times their builds, not the job's whole history; a job
// whose builds all produce the same few binaries is still read to the end.
func (d *DB) JobEntries(ctx context.Context, q JobQuery) (entries []JobEntry, next *Cursor, err error) {
	want := math.MaxInt
	if q.Limit > 0 {
		want = q.Limit + 1 // one more tells whether a next page follows
	}
	// Before the first build: start_d < MaxInt64 holds for every build.
	pos := Cursor{StartD: math.MaxInt64, StartPS: math.MaxInt64}
	earlier := []any{nil, nil, nil, nil, nil} // no cursor: no output was shown
	if c := q.After; c != nil {
		pos = *c
		earlier = []any{c.StartD, c.StartD, c.StartPS, c.StartPS, c.ID}
	}
	seen := map[string]bool{}
	for done := false; len(entries) < want && !done; {
		var ids []int64
		var heads map[int64]JobEntry
		ids, pos, done, err = d.jobCandidates(ctx, q, pos, seen, want-len(entries))
		if err == nil && len(ids) > 0 {
			heads, err = d.jobHeads(ctx, q, ids, earlier)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, id := range ids {
			if e, ok := heads[id]; ok { // absent: shown before, or removed since the scan
				entries = append(entries, e)
			}
		}
	}
	if q.Limit > 0 && len(entries) > q.Limit {
		entries = entries[:q.Limit]
		last := CursorOf(&entries[len(entries)-1].Build)
		next = &last
	}
	return entries, next, nil
}

// jobHeads returns the entries of the candidates ids that no page before
// the cursor has shown; earlier holds the cursor's arguments of sqlJobHeads.
func (d *DB) jobHeads(ctx context.Context, q JobQuery, ids []int64, earlier []any) (map[int64]JobEntry, error) {
	arr, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	args := append(slices.Clip(earlier), string(arr), q.Platform, q.Platform)
	rows, err := d.read.QueryContext(ctx, d.sql(sqlJobHeads), args...)
	if err != nil {
		return nil, fmt.Errorf("outputs of job %d: %w", q.JobID, err)
	}
	defer rows.Close()
	heads := make(map[int64]JobEntry, len(ids))
	for rows.Next() {
		var count, shown int
		bi, err := scanListRow(rows, &count, &shown)
		if err != nil {
			return nil, fmt.Errorf("outputs of job %d: %w", q.JobID, err)
		}
		if shown == 0 { // else a page before the cursor has this output
			heads[bi.ID] = JobEntry{BuildInfo: bi, Count: max(count, 1)} // 0: a failed build
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outputs of job %d: %w", q.JobID, err)
	}
	return heads, nil
}

// jobScanChunk is how many builds one scan query of a job page reads: a
// page of 50 outputs usually needs one query; a job whose builds all share
// a few outputs takes several.
const jobScanChunk = 256

// jobCandidates reads the job's builds after pos in page order and returns
// the ids of up to n candidate entries: failed builds when q.Failed, and the
// first build of each main-binary hash not in seen, which it adds. It returns
// the position of the last build read and done when no build follows.
func (d *DB) jobCandidates(ctx context.Context, q JobQuery, pos Cursor, seen map[string]bool, n int) (ids []int64, last Cursor, done bool, err error) {
	var rows *sql.Rows
	if q.Platform == "" {
		rows, err = d.read.QueryContext(ctx, d.sql(sqlJobScan), q.JobID,
			pos.StartD, pos.StartD, pos.StartPS, pos.StartPS, pos.ID, jobScanChunk)
	} else {
		rows, err = d.read.QueryContext(ctx, d.sql(sqlJobScanPlatform), q.JobID, q.Platform,
			pos.StartD, pos.StartD, pos.StartPS, pos.StartPS, pos.ID, jobScanChunk)
	}
	if err != nil {
		return nil, pos, false, fmt.Errorf("builds of job %d: %w", q.JobID, err)
	}
	defer rows.Close()
	var sha sql.RawBytes // only looked up in seen, copied when kept
	for read := 0; len(ids) < n; read++ {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return nil, pos, false, fmt.Errorf("builds of job %d: %w", q.JobID, err)
			}
			// A full chunk may have more builds after it.
			return ids, pos, read < jobScanChunk, nil
		}
		if err := rows.Scan(&pos.ID, &pos.StartD, &pos.StartPS, &sha); err != nil {
			return nil, pos, false, fmt.Errorf("builds of job %d: %w", q.JobID, err)
		}
		switch {
		case sha == nil:
			if q.Failed {
				ids = append(ids, pos.ID)
			}
		case !seen[string(sha)]:
			seen[string(sha)] = true
			ids = append(ids, pos.ID)
		}
	}
	return ids, pos, false, nil
}

// OutputBuilds lists the builds of a job whose main binary has this hash,
// newest first (the "built N times" list of the job page).
func (d *DB) OutputBuilds(ctx context.Context, jobID int64, sha256 []byte, platform string) ([]BuildInfo, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlOutputBuilds), sha256, jobID, platform, platform)
	if err != nil {
		return nil, fmt.Errorf("builds of job %d with output %x: %w", jobID, sha256, err)
	}
	defer rows.Close()
	var out []BuildInfo
	for rows.Next() {
		bi, err := scanListRow(rows)
		if err != nil {
			return nil, fmt.Errorf("builds of job %d with output %x: %w", jobID, sha256, err)
		}
		out = append(out, bi)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("builds of job %d with output %x: %w", jobID, sha256, err)
	}
	return out, nil
}

// JobPlatforms returns the platforms a job has builds on, sorted.
func (d *DB) JobPlatforms(ctx context.Context, jobID int64) ([]string, error) {
	var out []string
	if err := d.read.NewRaw(d.sql(sqlJobPlatforms), jobID, jobID).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("platforms of job %d: %w", jobID, err)
	}
	return out, nil
}

// LatestSuccessful returns the UUID of the job's newest successful build,
// on platform unless that is empty; ErrNotFound when there is none.
func (d *DB) LatestSuccessful(ctx context.Context, jobID int64, platform string) (string, error) {
	var row *sql.Row
	if platform == "" {
		row = d.read.QueryRowContext(ctx, d.sql(sqlLatest), jobID)
	} else {
		row = d.read.QueryRowContext(ctx, d.sql(sqlLatestPlatform), jobID, platform)
	}
	var uuid string
	if err := row.Scan(&uuid); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("latest build of job %d: %w", jobID, ErrNotFound)
		}
		return "", fmt.Errorf("latest build of job %d: %w", jobID, err)
	}
	return uuid, nil
}

// NewestWithHash returns the job name and UUID of the newest build having an
// artifact with this hash; ErrNotFound when none has.
func (d *DB) NewestWithHash(ctx context.Context, sha256 []byte) (job, uuid string, err error) {
	err = d.read.QueryRowContext(ctx, d.sql(sqlNewestWithHash), sha256).Scan(&job, &uuid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("artifact %x: %w", sha256, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("artifact %x: %w", sha256, err)
	}
	return job, uuid, nil
}

// MaxBuildID is the id of the newest uploaded build (0 when there is none):
// pages remember it to ask later how many builds came since.
func (d *DB) MaxBuildID(ctx context.Context) (int64, error) {
	var id int64
	if err := d.read.QueryRowContext(ctx, d.sql(sqlMaxBuildID)).Scan(&id); err != nil {
		return 0, fmt.Errorf("newest build id: %w", err)
	}
	return id, nil
}

// CountBuildsSince counts the builds uploaded after the one with id since,
// of one job when jobID is not 0.
func (d *DB) CountBuildsSince(ctx context.Context, since, jobID int64) (int, error) {
	var row *sql.Row
	if jobID == 0 {
		row = d.read.QueryRowContext(ctx, d.sql(sqlCountBuildsSince), since)
	} else {
		row = d.read.QueryRowContext(ctx, d.sql(sqlCountJobBuildsSince), since, jobID)
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count builds since %d: %w", since, err)
	}
	return n, nil
}
