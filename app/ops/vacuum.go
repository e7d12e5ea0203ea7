package ops

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/builder-web/builder-web/app/diffoscope"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/db"
)

// VacuumMode selects which builds Vacuum removes (reference §11.2).
type VacuumMode int

const (
	// VacuumOlderThan removes builds that finished at or before Before.
	VacuumOlderThan VacuumMode = iota
	// VacuumExceptLatest keeps the N most recently started builds of each
	// job and removes the rest.
	VacuumExceptLatest
	// VacuumExceptLatestSuccessful finds each job's N-th most recent
	// successful build and removes every build that finished at or before
	// it, except that build.
	VacuumExceptLatestSuccessful
)

// DefaultVacuumBatch is how many builds one write transaction removes: small
// enough that uploads waiting for the single writer are delayed by
// milliseconds, not by the whole vacuum.
const DefaultVacuumBatch = 100

// VacuumOptions says what Vacuum removes.
type VacuumOptions struct {
	Mode   VacuumMode
	Before time.Time // VacuumOlderThan
	N      int       // the other modes; must be positive
	// Jobs limits the vacuum to these jobs; empty means every job.
	Jobs []string
	// Platform limits it to builds of one platform (and counts the latest
	// builds on that platform only); empty means all.
	Platform string
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
	// Batch is the number of builds per write transaction;
	// DefaultVacuumBatch when 0.
	Batch int

	// Removed, when not nil, is called for each build removed (after its
	// batch committed) or, with DryRun, for each build that would be.
	Removed func(db.VacuumBuild)
	// Note, when not nil, receives the reference's informational
	// messages, e.g. about a job that keeps all its builds.
	Note func(string)
}

// VacuumReport is what Vacuum did.
type VacuumReport struct {
	Jobs      int // jobs looked at
	Builds    int // builds removed (with DryRun: that would be)
	Artifacts int // artifact files deleted
	// Reports are the diffoscope reports removed because one of their
	// two binaries is gone.
	Reports int
	// Visualizations are the cached graphs and treemaps removed because
	// their input is gone.
	Visualizations int
	// Problems are files or directories that could not be deleted; the
	// rows are gone regardless (see RemoveJob).
	Problems []error
}

// UnknownJobsError names the --job arguments that are no job.
type UnknownJobsError struct{ Names []string }

func (e *UnknownJobsError) Error() string {
	return "Unknown job(s): " + strings.Join(e.Names, ", ")
}

// ErrNonUTC is the reference's refusal of a date-time with a time zone.
var ErrNonUTC = errors.New("only UTC timezone is allowed")

// ParseVacuumTime reads the DATETIME of `vacuum older-than`: RFC 3339 with
// the offset Z or +00:00, as the reference accepts it.
func ParseVacuumTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date-time %q: want RFC 3339, e.g. 2024-01-31T00:00:00Z", s)
	}
	// -00:00 is RFC 3339's "offset unknown", not UTC; Ptime rejects it too.
	if _, off := t.Zone(); off != 0 || strings.HasSuffix(s, "-00:00") {
		return time.Time{}, ErrNonUTC
	}
	return t.UTC(), nil
}

// Vacuum removes old builds with their console/script directories and the
// artifact files no remaining build references (reference §11.2 vacuum).
// The builds are chosen per job with one read each, then removed in batches
// of opts.Batch, each in its own write transaction that also deletes the
// files (product §6.2 rule 4), so uploads proceed between batches. A
// build removed by someone else meanwhile is skipped. Unknown job names
// are an *UnknownJobsError before anything is removed.
func Vacuum(ctx context.Context, d *db.DB, st *store.Store, opts VacuumOptions) (VacuumReport, error) {
	var rep VacuumReport
	if opts.Mode != VacuumOlderThan && opts.N <= 0 {
		return rep, fmt.Errorf("the number of builds to keep must be positive, not %d", opts.N)
	}
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultVacuumBatch
	}
	jobs, err := vacuumJobs(ctx, d, opts.Jobs)
	if err != nil {
		return rep, err
	}
	for _, job := range jobs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Jobs++
		victims, err := vacuumSelect(ctx, d, job, opts)
		if err != nil {
			return rep, err
		}
		// Oldest first: an interrupted vacuum leaves the newer builds.
		slices.Reverse(victims)
		if opts.DryRun {
			for _, b := range victims {
				b.Job = job.Name
				if opts.Removed != nil {
					opts.Removed(b)
				}
			}
			rep.Builds += len(victims)
			continue
		}
		for chunk := range slices.Chunk(victims, batch) {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			ids := make([]int64, len(chunk))
			for i, b := range chunk {
				ids[i] = b.ID
			}
			removed, deleted, problems, err := removeBuilds(ctx, d, st, ids)
			if err != nil {
				return rep, fmt.Errorf("vacuum %s: %w", job.Name, err)
			}
			rep.Builds += len(removed)
			rep.Artifacts += deleted
			rep.Problems = append(rep.Problems, problems...)
			if opts.Removed != nil {
				for _, b := range removed {
					opts.Removed(b)
				}
			}
		}
	}
	if opts.DryRun {
		return rep, nil
	}
	// The caches derive from stored files: a diffoscope report is worth
	// keeping only while both of its binaries are, a visualization while
	// its input is.
	stored := func(sha string) (bool, error) {
		raw, err := hex.DecodeString(sha)
		if err != nil {
			return false, err
		}
		return d.ArtifactExists(ctx, raw)
	}
	cache := filepath.Join(st.Dir(), store.CacheDir)
	if rep.Reports, err = diffoscope.Prune(cache, stored); err != nil {
		return rep, fmt.Errorf("vacuum: %w", err)
	}
	if rep.Visualizations, err = viz.Prune(cache, stored); err != nil {
		return rep, fmt.Errorf("vacuum: %w", err)
	}
	return rep, nil
}

// vacuumJobs resolves the --job names, or lists every job.
func vacuumJobs(ctx context.Context, d *db.DB, names []string) ([]db.Job, error) {
	if len(names) == 0 {
		return d.AllJobs(ctx)
	}
	var (
		jobs    []db.Job
		unknown []string
	)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		j, err := d.JobByName(ctx, n)
		switch {
		case errors.Is(err, db.ErrJobNotFound):
			unknown = append(unknown, n)
		case err != nil:
			return nil, err
		default:
			jobs = append(jobs, *j)
		}
	}
	if len(unknown) > 0 {
		return nil, &UnknownJobsError{Names: unknown}
	}
	return jobs, nil
}

// vacuumSelect returns the builds of one job that opts removes, newest first.
func vacuumSelect(ctx context.Context, d *db.DB, job db.Job, opts VacuumOptions) ([]db.VacuumBuild, error) {
	note := func(format string, args ...any) {
		if opts.Note != nil {
			opts.Note(fmt.Sprintf(format, args...))
		}
	}
	switch opts.Mode {
	case VacuumOlderThan:
		return d.BuildsOlderThan(ctx, job.ID, opts.Platform, opts.Before)
	case VacuumExceptLatest:
		bs, err := d.BuildsExceptLatest(ctx, job.ID, opts.Platform, opts.N)
		if err == nil && len(bs) == 0 {
			note("Job %s has no more than %d builds; not removing any builds", job.Name, opts.N)
		}
		return bs, err
	case VacuumExceptLatestSuccessful:
		nth, err := d.NthLatestSuccessful(ctx, job.ID, opts.Platform, opts.N)
		if err != nil {
			return nil, err
		}
		if nth == nil {
			note("Job %s has fewer than %d successful builds; not removing any builds", job.Name, opts.N)
			return nil, nil
		}
		bs, err := d.BuildsOlderThan(ctx, job.ID, opts.Platform, nth.Finish)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(bs, func(b db.VacuumBuild) bool { return b.ID == nth.ID }), nil
	}
	return nil, fmt.Errorf("unknown vacuum mode %d", opts.Mode)
}

// removeBuilds removes one batch of builds and, in the same write
// transaction, their directories and the artifact files no longer
// referenced. As in RemoveJob, a file that cannot be deleted is a problem
// reported, not a reason to keep rows that the other files no longer back.
func removeBuilds(ctx context.Context, d *db.DB, st *store.Store, ids []int64) (
	removed []db.VacuumBuild, deleted int, problems []error, err error) {
	err = d.WriteTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		removed, deleted, problems = nil, 0, nil
		var rb db.RemovedBuilds
		var err error
		removed, rb, err = d.RemoveBuilds(ctx, tx, ids)
		if err != nil {
			return err
		}
		dirs := make([]buildDir, len(removed))
		for i, b := range removed {
			dirs[i] = buildDir{job: b.Job, uuid: b.UUID}
		}
		deleted, problems = deleteBuildFiles(st, dirs, rb.Unreferenced)
		return nil
	})
	if err != nil {
		return nil, 0, nil, err
	}
	return removed, deleted, problems, nil
}

// buildDir names the directory <job>/<uuid> of a build.
type buildDir struct{ job, uuid string }

// deleteBuildFiles removes build directories and the artifact files no row
// references any more; callers hold the write transaction that deleted the
// rows (product.md §6.2.4). A file that cannot be deleted is a problem to
// report, not a reason to keep rows that the other files no longer back.
func deleteBuildFiles(st *store.Store, dirs []buildDir, unreferenced [][]byte) (deleted int, problems []error) {
	for _, b := range dirs {
		// Names from a database the reference filled were never
		// validated; never let one point outside the data directory.
		if !safeSegment(b.job) || !safeSegment(b.uuid) {
			problems = append(problems, fmt.Errorf("build directory %q/%q: unexpected form", b.job, b.uuid))
			continue
		}
		if err := st.RemoveBuildDir(b.job, b.uuid); err != nil {
			problems = append(problems, fmt.Errorf("remove %s/%s: %w", b.job, b.uuid, err))
		}
	}
	for _, h := range unreferenced {
		if len(h) != 32 {
			problems = append(problems, fmt.Errorf("artifact hash of %d bytes", len(h)))
			continue
		}
		if err := st.RemoveArtifact(h); err != nil {
			problems = append(problems, fmt.Errorf("remove %s: %w", store.ArtifactRel(h), err))
			continue
		}
		deleted++
	}
	return deleted, problems
}

// safeSegment reports whether s is usable as one path segment.
func safeSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}
