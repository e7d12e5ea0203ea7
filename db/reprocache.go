package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// sqlJobChange is one job's change counter (migration 0011).
const sqlJobChange = `SELECT n FROM job_change WHERE job = ?`

// reproCacheRows bounds the builds that reproCache keeps, over all jobs:
// about 200 bytes each, so some 6 MiB. The busiest job of the
// 200,000-build set has 2,000.
const reproCacheRows = 32 << 10

// reproCache keeps the builds of the jobs whose reproducibility view was
// asked for last (JobReproBuilds), each with the job's job_change counter
// when they were read (issue 17: the view's JSON lists every build, and
// reading 2,000 of them with their main binaries' hashes took 15 ms of
// CPU per request). A successful build with an input id joins or leaves
// its repro_group row in the same transaction, which bumps the counter,
// so a list with the current counter is the current list. Least recently
// used jobs go first once the builds exceed reproCacheRows.
type reproCache struct {
	mu   sync.Mutex
	jobs map[int64]*reproJob
	rows int
	tick int64
}

type reproJob struct {
	n      int64
	used   int64
	builds []ReproBuild // shared, never modified
}

func (c *reproCache) get(job, n int64) ([]ReproBuild, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	j, ok := c.jobs[job]
	if !ok || j.n != n {
		return nil, false
	}
	c.tick++
	j.used = c.tick
	return j.builds, true
}

func (c *reproCache) put(job, n int64, builds []ReproBuild) {
	if len(builds) > reproCacheRows {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.jobs[job]; ok {
		c.rows -= len(old.builds)
	}
	c.tick++
	c.jobs[job] = &reproJob{n: n, used: c.tick, builds: builds}
	c.rows += len(builds)
	for c.rows > reproCacheRows {
		var lru int64 = -1
		for id, j := range c.jobs {
			if lru < 0 || j.used < c.jobs[lru].used {
				lru = id
			}
		}
		c.rows -= len(c.jobs[lru].builds)
		delete(c.jobs, lru)
	}
}

// JobReproBuilds returns the successful builds with an input id of a job,
// by platform, newest first. The result may be shared with other callers:
// do not modify it.
func (d *DB) JobReproBuilds(ctx context.Context, jobID int64) ([]ReproBuild, error) {
	// The counter first, then the builds (no read transaction, as in
	// Overview): the builds kept are at least as new as their counter.
	tx := d.read.DB
	n := int64(-1)
	if err := tx.QueryRowContext(ctx, d.rawSQL(sqlJobChange), jobID).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reproducibility of job %d: %w", jobID, err)
	}
	if out, ok := d.repro.get(jobID, n); ok {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, d.rawSQL(sqlJobReproBuilds), jobID)
	if err != nil {
		return nil, fmt.Errorf("reproducibility of job %d: %w", jobID, err)
	}
	out, err := scanReproBuilds(rows, nil, false)
	if err != nil {
		return nil, fmt.Errorf("reproducibility of job %d: %w", jobID, err)
	}
	if n >= 0 { // a job without a counter row is read every time
		d.repro.put(jobID, n, out)
	}
	return out, nil
}
