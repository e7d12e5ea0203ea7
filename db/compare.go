package db

import (
	"context"
	"fmt"
	"time"
)

// ComparableBuild is a build the compare page offers as the other side of a
// comparison.
type ComparableBuild struct {
	UUID       string
	StartD     int64
	StartPS    int64
	Platform   string
	MainSHA256 []byte
}

// Start returns the decoded start time.
func (b *ComparableBuild) Start() time.Time { return TimeFromPtime(b.StartD, b.StartPS) }

// sqlComparableBuilds walks idx_build_job_start newest first and keeps the
// builds that can be compared: those with a main binary and an opam-switch
// (failed builds and bare binary uploads have none). Each check is a probe
// of an index, so the LIMIT bounds the work.
const sqlComparableBuilds = `SELECT build.uuid, build.start_d, build.start_ps,
		build.platform, build_artifact.sha256
	FROM build
	JOIN build_artifact ON build_artifact.id = build.main_binary
	WHERE build.job = ?
		AND EXISTS (SELECT 1 FROM build_artifact AS input
			WHERE input.build = build.id AND input.filepath = '` + OpamSwitch + `')
	ORDER BY build.start_d DESC, build.start_ps DESC
	LIMIT ?`

// ComparableBuilds returns up to limit of the newest builds of a job that
// can be compared, newest first.
func (d *DB) ComparableBuilds(ctx context.Context, jobID int64, limit int) ([]ComparableBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlComparableBuilds), jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("comparable builds of job %d: %w", jobID, err)
	}
	defer rows.Close()
	var out []ComparableBuild
	for rows.Next() {
		var b ComparableBuild
		if err := rows.Scan(&b.UUID, &b.StartD, &b.StartPS, &b.Platform, &b.MainSHA256); err != nil {
			return nil, fmt.Errorf("comparable builds of job %d: %w", jobID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("comparable builds of job %d: %w", jobID, err)
	}
	return out, nil
}
