package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// ReproBuild is a successful build with an input id, as the
// reproducibility model (app/repro) needs it.
type ReproBuild struct {
	UUID     string
	Job      string // set by ReproGroupsOf only
	Platform string
	InputID  []byte
	SHA256   []byte // of the main binary
	Uploader string
	Start    time.Time
}

// ReproGroup is one (job, platform, input id) with how many builds and
// distinct main binaries it has: what the site view needs to apply the
// verdict rule without loading every build.
type ReproGroup struct {
	Job      string
	Platform string
	Builds   int
	Outputs  int
	Latest   time.Time
}

const (
	// A job's successful builds with an input id. Driven by
	// idx_build_job_platform_success (job, platform, start) WHERE
	// main_binary IS NOT NULL.
	sqlJobReproBuilds = `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN user u ON u.id = b.user
	WHERE b.job = ? AND b.main_binary IS NOT NULL AND b.input_id IS NOT NULL
	ORDER BY b.platform, b.start_d DESC, b.start_ps DESC`

	// Every (job, platform, input id) group with its counts, from the
	// table that triggers keep (migration 0007): grouping every build of
	// the site per request took a second on 200,000 builds.
	sqlReproGroups = `SELECT j.name, g.platform, g.builds, g.outputs, g.latest_d
	FROM repro_group g
	JOIN job j ON j.id = g.job`

	// The groups (same job, platform and input id) of a list of builds:
	// every successful build of each. Driven by idx_build_input_id: the
	// unary + keeps the planner off idx_build_job_platform_success, which
	// reads every build of the job and platform (140 ms for the front
	// page's 400 rows instead of a few).
	sqlReproGroupsOf = `SELECT DISTINCT o.uuid, o.platform, o.input_id, a.sha256, u.username, o.start_d, o.start_ps, j.name
	FROM json_each(?) ids
	JOIN build s ON s.id = ids.value
	JOIN build o ON o.input_id = s.input_id AND +o.job = s.job AND +o.platform = s.platform
	JOIN build_artifact a ON a.id = o.main_binary
	JOIN user u ON u.id = o.user
	JOIN job j ON j.id = o.job
	WHERE s.input_id IS NOT NULL AND o.main_binary IS NOT NULL`
)

// ReproCount is a build's group in repro_group: how many successful
// builds it has and how many distinct main binaries.
type ReproCount struct {
	Builds, Outputs int
}

// ReproGroupsOf returns every successful build of the groups of the given
// builds (by id), so that the lists can show each build's verdict.
func (d *DB) ReproGroupsOf(ctx context.Context, buildIDs []int64) ([]ReproBuild, error) {
	if len(buildIDs) == 0 {
		return nil, nil
	}
	ids, err := json.Marshal(buildIDs)
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	rows, err := d.Read.QueryContext(ctx, sqlReproGroupsOf, string(ids))
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	out, err := scanReproBuilds(rows, nil, true)
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	return out, nil
}

// JobReproBuilds returns the successful builds with an input id of a job,
// by platform, newest first.
func (d *DB) JobReproBuilds(ctx context.Context, jobID int64) ([]ReproBuild, error) {
	rows, err := d.Read.QueryContext(ctx, sqlJobReproBuilds, jobID)
	if err != nil {
		return nil, fmt.Errorf("reproducibility of job %d: %w", jobID, err)
	}
	out, err := scanReproBuilds(rows, nil, false)
	if err != nil {
		return nil, fmt.Errorf("reproducibility of job %d: %w", jobID, err)
	}
	return out, nil
}

// scanReproBuilds appends rows of (uuid, platform, input_id, sha256,
// username, start_d, start_ps[, job name]) to out and closes them.
func scanReproBuilds(rows *sql.Rows, out []ReproBuild, withJob bool) ([]ReproBuild, error) {
	defer rows.Close()
	for rows.Next() {
		var (
			b      ReproBuild
			sd, sp int64
		)
		dest := []any{&b.UUID, &b.Platform, &b.InputID, &b.SHA256, &b.Uploader, &sd, &sp}
		if withJob {
			dest = append(dest, &b.Job)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		b.Start = TimeFromPtime(sd, sp)
		out = append(out, b)
	}
	return out, rows.Err()
}

// ReproGroups returns every group of successful builds by job, platform and
// input id, with its build and distinct-output counts.
func (d *DB) ReproGroups(ctx context.Context) ([]ReproGroup, error) {
	rows, err := d.Read.QueryContext(ctx, sqlReproGroups)
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	defer rows.Close()
	var out []ReproGroup
	for rows.Next() {
		var (
			g    ReproGroup
			days int64
		)
		if err := rows.Scan(&g.Job, &g.Platform, &g.Builds, &g.Outputs, &days); err != nil {
			return nil, fmt.Errorf("reproducibility groups: %w", err)
		}
		g.Latest = TimeFromPtime(days, 0)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	return out, nil
}
