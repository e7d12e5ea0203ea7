package db

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// The front page's entries (reference §6.1), kept in memory per job.

const (
	// sqlJobChanges lists every job's change counter (migration 0011): a
	// scan of a small table, one row per job.
	sqlJobChanges = `SELECT job, n FROM job_change`

	// sqlOverviewJobs reads the newest successful build of every platform
	// of the jobs in the JSON array given from latest_build (migration
	// 0009, kept by triggers), one primary key lookup per entry for the
	// build, its job, its main binary and its reproducibility group
	// (0007): the cost grows with the number of entries read, never with
	// the number of builds. The rows of a job come in latest_build's
	// order (platform).
	sqlOverviewJobs = `SELECT ` + listColumns + `, g.builds, g.outputs
	FROM json_each(?) ids
	JOIN latest_build l ON l.job = ids.value
	JOIN build ON build.id = l.build
	JOIN job ON job.id = l.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	LEFT JOIN repro_group g ON g.job = build.job AND g.platform = build.platform AND g.input_id = build.input_id`

	// sqlOverviewTags lists the section and synopsis tags of the jobs in
	// the JSON array given (jobs without them are simply absent, product
	// §2.5): seeks in job_tag's (tag, job) index.
	sqlOverviewTags = `SELECT job_tag.job, tag.tag, job_tag.value
	FROM tag JOIN job_tag ON job_tag.tag = tag.id
	WHERE tag.tag IN ('section', 'synopsis') AND job_tag.job IN (SELECT value FROM json_each(?))`
)

// OverviewEntry is one platform of one job on the front page: the newest
// successful build of the job on that platform, with its main binary.
type OverviewEntry struct {
	BuildInfo
	Section  string  // "" when the job has no section tag
	Synopsis *string // nil when the job has no synopsis tag
	// Repro is the build's reproducibility group, nil when it has none
	// (no input id): the front page's mark.
	Repro *ReproCount
}

// overviewCache holds the front page's entries of every job as they were
// when the job's job_change counter had the value n. A front page after
// any change of the data (a miss of the page cache) reads the counters and
// reloads only the jobs whose counter moved: after an upload one job's
// entries, instead of a lookup of build, job, main binary and
// reproducibility group for each of 400 (200,000 builds) or 2,000
// (1,000,000 builds) entries. Its size is bounded by the number of jobs:
// an entry per job_change row.
type overviewCache struct {
	mu   sync.Mutex
	jobs map[int64]overviewJob
}

// overviewJob is one job's entries, ordered by platform. The slice is
// shared by every caller and never modified; a reload replaces it.
type overviewJob struct {
	n       int64
	name    string
	entries []OverviewEntry
}

// Overview returns, for every job and platform, the newest successful build
// (reference §6.1), ordered by job name and platform. With finishedAfter set,
// entries whose build finished at or before it are left out (the front page's
// expiry rule, reference §9); jobs left without entries are absent. The
// entries are at least as new as the committed state when it is called,
// also after changes by another process. The Synopsis, Repro and Main pointers are shared between calls:
// callers must not modify what they point to.
func (d *DB) Overview(ctx context.Context, finishedAfter time.Time) ([]OverviewEntry, error) {
	jobs, err := d.overviewJobs(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b overviewJob) int { return cmp.Compare(a.name, b.name) })
	n := 0
	for _, j := range jobs {
		n += len(j.entries)
	}
	fd, fps := PtimeFromTime(finishedAfter)
	out := make([]OverviewEntry, 0, n)
	for _, j := range jobs {
		for _, e := range j.entries {
			if finishedAfter.IsZero() || e.FinishD > fd || (e.FinishD == fd && e.FinishPS > fps) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// overviewJobs returns the current entries of every job that has any,
// reloading the jobs whose counter moved since they were cached.
func (d *DB) overviewJobs(ctx context.Context) ([]overviewJob, error) {
	// No read transaction: the counters are read first, so the entries
	// reloaded are at least as new as the counters they are kept under,
	// and a change in between only makes the next call reload the job
	// again. (A read transaction here made the browser tests' server
	// unable to shut down within 5 s.)
	tx := d.read.DB
	counters, err := d.jobCounters(ctx, tx)
	if err != nil {
		return nil, err
	}

	c := d.overview
	var stale []int64
	out := make([]overviewJob, 0, len(counters))
	c.mu.Lock()
	for _, jc := range counters {
		if j, ok := c.jobs[jc.job]; ok && j.n == jc.n {
			if len(j.entries) > 0 {
				out = append(out, j)
			}
		} else {
			stale = append(stale, jc.job)
		}
	}
	c.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}

	loaded, err := d.loadOverviewJobs(ctx, tx, stale)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, jc := range counters {
		j, ok := loaded[jc.job]
		if !ok {
			continue
		}
		// A concurrent call may store an older state after this one:
		// the next call sees the counter differ and reloads the job.
		j.n = jc.n
		c.jobs[jc.job] = j
		if len(j.entries) > 0 {
			out = append(out, j)
		}
	}
	if len(c.jobs) > len(counters) { // job_change rows are never deleted, but the file may have been replaced
		keep := make(map[int64]bool, len(counters))
		for _, jc := range counters {
			keep[jc.job] = true
		}
		maps.DeleteFunc(c.jobs, func(id int64, _ overviewJob) bool { return !keep[id] })
	}
	return out, nil
}

type jobCounter struct{ job, n int64 }

func (d *DB) jobCounters(ctx context.Context, tx *sql.DB) ([]jobCounter, error) {
	rows, err := tx.QueryContext(ctx, d.rawSQL(sqlJobChanges))
	if err != nil {
		return nil, fmt.Errorf("overview: job changes: %w", err)
	}
	defer rows.Close()
	var out []jobCounter
	for rows.Next() {
		var jc jobCounter
		if err := rows.Scan(&jc.job, &jc.n); err != nil {
			return nil, fmt.Errorf("overview: job changes: %w", err)
		}
		out = append(out, jc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overview: job changes: %w", err)
	}
	return out, nil
}

// loadOverviewJobs reads the entries and tags of the jobs ids; every one
// of them is in the result, with no entries when it has none.
func (d *DB) loadOverviewJobs(ctx context.Context, tx *sql.DB, ids []int64) (map[int64]overviewJob, error) {
	arr, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	type jobTags struct {
		section  string
		synopsis *string
	}
	tags := map[int64]*jobTags{}
	rows, err := tx.QueryContext(ctx, d.rawSQL(sqlOverviewTags), string(arr))
	if err != nil {
		return nil, fmt.Errorf("overview tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var job int64
		var tag, value string
		if err := rows.Scan(&job, &tag, &value); err != nil {
			return nil, fmt.Errorf("overview tags: %w", err)
		}
		t := tags[job]
		if t == nil {
			t = &jobTags{}
			tags[job] = t
		}
		if tag == "section" {
			t.section = value
		} else {
			t.synopsis = &value
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overview tags: %w", err)
	}
	rows.Close()

	out := make(map[int64]overviewJob, len(ids))
	for _, id := range ids {
		out[id] = overviewJob{}
	}
	rows, err = tx.QueryContext(ctx, d.rawSQL(sqlOverviewJobs), string(arr))
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	defer rows.Close()
	var builds, outputs sql.NullInt64
	sc := newListScanner(&builds, &outputs)
	for rows.Next() {
		bi, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
		e := OverviewEntry{BuildInfo: bi}
		if t := tags[e.JobID]; t != nil {
			e.Section, e.Synopsis = t.section, t.synopsis
		}
		if builds.Valid {
			e.Repro = &ReproCount{Builds: int(builds.Int64), Outputs: int(outputs.Int64)}
		}
		j := out[e.JobID]
		j.name = e.JobName
		j.entries = append(j.entries, e)
		out[e.JobID] = j
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	for id, j := range out {
		slices.SortFunc(j.entries, func(a, b OverviewEntry) int { return cmp.Compare(a.Platform, b.Platform) })
		out[id] = overviewJob{name: j.name, entries: slices.Clip(j.entries)}
	}
	return out, nil
}
