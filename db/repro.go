package db

import (
	"context"
	"database/sql"
	"encoding/hex"
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

// ReproGroup is one (job, platform, input id) of repro_group (migration
// 0007): how many successful builds and distinct main binaries it has, and
// when the newest started (to the second).
type ReproGroup struct {
	Platform string
	InputID  []byte
	Builds   int
	Outputs  int
	Latest   time.Time
}

// ReproBucket counts a job's groups with the same capped counts: builds
// and outputs capped at 2, which is all the verdict rule (app/repro)
// distinguishes, and whether the newest build is recent.
type ReproBucket struct {
	Job             string
	Builds, Outputs int // min(count, 2)
	Recent          bool
	Groups          int
}

// latestKey is repro_group.latest: start_d * 100000 plus the whole seconds
// of the day, which orders builds to the second and fits in 64 bits.
func latestKey(t time.Time) int64 {
	d, ps := PtimeFromTime(t)
	return d*100000 + ps/1_000_000_000_000
}

func latestTime(key int64) time.Time {
	return TimeFromPtime(key/100000, key%100000*1_000_000_000_000)
}

const (
	// A job's successful builds with an input id. Driven by
	// idx_build_job_platform_success (job, platform, start) WHERE
	// main_binary IS NOT NULL.
	sqlJobReproBuilds = `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN "user" u ON u.id = b."user"
	WHERE b.job = ? AND b.main_binary IS NOT NULL AND b.input_id IS NOT NULL
	ORDER BY b.platform, b.start_d DESC, b.start_ps DESC`

	// The site view's counts, from the table that triggers keep
	// (migration 0007): grouping every build of the site per request took
	// a second on 200,000 builds; this reads 43,000 short rows and returns
	// a few per job.
	sqlReproBuckets = `SELECT j.name, x.b, x.o, x.recent, x.n FROM (
		SELECT job, min(builds, 2) AS b, min(outputs, 2) AS o, latest >= ? AS recent, count(*) AS n
		FROM repro_group GROUP BY job, b, o, recent) x
	JOIN job j ON j.id = x.job`

	// A job's groups, by platform, newest first: the primary key's range.
	sqlJobReproGroups = `SELECT platform, input_id, builds, outputs, latest FROM repro_group
	WHERE job = ? ORDER BY platform, latest DESC`

	// A job's successful builds from some input ids (hex), each group
	// through idx_build_input_id.
	sqlJobReproBuildsOf = `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM json_each(?) k
	JOIN build b ON b.input_id = unhex(k.value) AND +b.job = ?
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN "user" u ON u.id = b."user"`

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
	JOIN "user" u ON u.id = o."user"
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
	rows, err := d.read.QueryContext(ctx, d.sql(sqlReproGroupsOf), string(ids))
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
	}
	out, err := scanReproBuilds(rows, nil, true)
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups: %w", err)
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

// ReproBuckets counts every job's groups by capped build and output counts
// and by whether their newest build started at or after since.
func (d *DB) ReproBuckets(ctx context.Context, since time.Time) ([]ReproBucket, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlReproBuckets), latestKey(since))
	if err != nil {
		return nil, fmt.Errorf("reproducibility counts: %w", err)
	}
	defer rows.Close()
	var out []ReproBucket
	for rows.Next() {
		var b ReproBucket
		if err := rows.Scan(&b.Job, &b.Builds, &b.Outputs, &b.Recent, &b.Groups); err != nil {
			return nil, fmt.Errorf("reproducibility counts: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reproducibility counts: %w", err)
	}
	return out, nil
}

// JobReproGroups returns a job's groups by platform, newest first.
func (d *DB) JobReproGroups(ctx context.Context, jobID int64) ([]ReproGroup, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlJobReproGroups), jobID)
	if err != nil {
		return nil, fmt.Errorf("reproducibility groups of job %d: %w", jobID, err)
	}
	defer rows.Close()
	var out []ReproGroup
	for rows.Next() {
		var (
			g      ReproGroup
			latest int64
		)
		if err := rows.Scan(&g.Platform, &g.InputID, &g.Builds, &g.Outputs, &latest); err != nil {
			return nil, fmt.Errorf("reproducibility groups of job %d: %w", jobID, err)
		}
		g.Latest = latestTime(latest)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reproducibility groups of job %d: %w", jobID, err)
	}
	return out, nil
}

// JobReproBuildsOf returns the successful builds of a job's groups (one
// page of the per-job view): the builds of the job from those input ids,
// on those groups' platforms.
func (d *DB) JobReproBuildsOf(ctx context.Context, jobID int64, groups []ReproGroup) ([]ReproBuild, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	var inputs []string
	for _, g := range groups {
		h := hex.EncodeToString(g.InputID)
		if !want[h] {
			inputs = append(inputs, h)
		}
		want[h] = true
		want[g.Platform+"\x00"+h] = true
	}
	arr, err := json.Marshal(inputs)
	if err != nil {
		return nil, fmt.Errorf("builds of job %d's inputs: %w", jobID, err)
	}
	rows, err := d.read.QueryContext(ctx, d.sql(sqlJobReproBuildsOf), string(arr), jobID)
	if err != nil {
		return nil, fmt.Errorf("builds of job %d's inputs: %w", jobID, err)
	}
	all, err := scanReproBuilds(rows, nil, false)
	if err != nil {
		return nil, fmt.Errorf("builds of job %d's inputs: %w", jobID, err)
	}
	// The same input id on another platform is another group.
	out := all[:0]
	for _, b := range all {
		if want[b.Platform+"\x00"+hex.EncodeToString(b.InputID)] {
			out = append(out, b)
		}
	}
	return out, nil
}
