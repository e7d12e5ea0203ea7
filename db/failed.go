package db

import (
	"context"
	"fmt"
	"math"
)

// Result kinds the failed-builds list can be filtered by. They follow
// builder.UnpackResult (checked by a test), which decodes the packed
// result_code of reference §2.3.
const (
	ResultExited    = "exited" // exited with a code other than 0
	ResultSignalled = "signalled"
	ResultStopped   = "stopped"
	ResultAborted   = "aborted" // builder's Msg result
)

// sqlResultKind classifies build.result_code as builder.UnpackResult does;
// exited 0 is "exited0" so that the "exited" filter means a non-zero code.
const sqlResultKind = `CASE
		WHEN build.result_code = 65536 AND build.result_msg IS NOT NULL THEN 'aborted'
		WHEN build.result_code < 0 AND build.result_code % 65536 = 0 THEN 'stopped'
		WHEN build.result_code < 0 AND build.result_code % 256 = 0 THEN 'signalled'
		WHEN build.result_code = 0 THEN 'exited0'
		WHEN build.result_code <= 255 THEN 'exited'
		WHEN build.result_code <= 65535 THEN 'signalled'
		WHEN build.result_code <= 16777215 THEN 'stopped'
		ELSE 'aborted' END`

// sqlFailedBuilds lists failed builds of all jobs, newest first, after a
// cursor (start, id) that is always given (the first page passes the end of
// time), so that the query is a range of idx_build_failed_start: it reads
// only the rows it returns plus those the filters skip. INDEXED BY because
// SQLite would otherwise pick idx_build_main_binary (main_binary IS NULL)
// and sort every failed build.
//
// Arguments: cursor (3), platform or ” (twice), result kind or ” (twice),
// limit, offset.
const sqlFailedBuilds = `SELECT ` + listColumns + `
	FROM build INDEXED BY idx_build_failed_start
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.main_binary IS NULL
	AND (build.start_d, build.start_ps, build.id) < (?, ?, ?)
	AND (? = '' OR build.platform = ?)
	AND (? = '' OR (` + sqlResultKind + `) = ?)
	ORDER BY build.start_d DESC, build.start_ps DESC, build.id DESC
	LIMIT ? OFFSET ?`

// FailedQuery selects a page of /failed-builds (reference §6.2).
type FailedQuery struct {
	Platform string // "" for all
	Result   string // one of the Result* kinds, "" for all
	After    *Cursor
	Offset   int // the reference's start parameter
	Limit    int // at least 1
}

// FailedBuilds returns failed builds (no main binary) of all jobs, newest
// first. next is set when more builds follow the page.
func (d *DB) FailedBuilds(ctx context.Context, q FailedQuery) (builds []BuildInfo, next *Cursor, err error) {
	c := Cursor{StartD: math.MaxInt64}
	if q.After != nil {
		c = *q.After
	}
	limit := max(q.Limit, 1)
	rows, err := d.read.QueryContext(ctx, d.sql(sqlFailedBuilds), c.StartD, c.StartPS, c.ID,
		q.Platform, q.Platform, q.Result, q.Result, limit+1, max(q.Offset, 0))
	if err != nil {
		return nil, nil, fmt.Errorf("failed builds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		bi, err := scanListRow(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("failed builds: %w", err)
		}
		builds = append(builds, bi)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("failed builds: %w", err)
	}
	if len(builds) > limit {
		builds = builds[:limit]
		last := CursorOf(&builds[limit-1].Build)
		next = &last
	}
	return builds, next, nil
}
