package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// beginCopy switches the build table's own triggers off for the copy.
// With them on, every copied build's main binary would fire the upload's
// incremental triggers, each bumping its job's job_change row, and every
// single-statement insert the data_version row: PostgreSQL keeps each of
// those versions of one row until the transaction ends, so each bump walks
// all the earlier ones, and the 200,000-build set had copied 141,711 builds
// in 10.5 minutes, slowing down, before its 1.2 million artifacts.
// ALTER TABLE is transactional: the triggers are off for this transaction
// only, and it locks build against other writers until the commit.
func (*postgresDialect) beginCopy(ctx context.Context, tx bun.Tx) (bool, error) {
	// repro_group's and latest_build's own triggers bump job_change per
	// row: endCopy's recount would write each job's row hundreds of times
	// and leave job_change, which every front page miss reads whole, 239
	// pages long for 100 rows.
	for _, t := range []string{"build", "repro_group", "latest_build"} {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t+" DISABLE TRIGGER USER"); err != nil {
			return false, fmt.Errorf("switch the %s triggers off: %w", t, err)
		}
	}
	return true, nil
}

// endCopy fills repro_group and latest_build from the copied builds with
// the functions the triggers call (migrations 0007 and 0009), once per
// group and per job and platform, and switches the triggers back on.
func (*postgresDialect) endCopy(ctx context.Context, tx bun.Tx) error {
	for _, q := range []string{
		`SELECT count(repro_group_recount(job, platform, input_id)) FROM
			(SELECT DISTINCT job, platform, input_id FROM build WHERE input_id IS NOT NULL AND main_binary IS NOT NULL) g`,
		`SELECT count(latest_build_recompute(job, platform)) FROM
			(SELECT DISTINCT job, platform FROM build WHERE main_binary IS NOT NULL) p`,
		// The main binaries' deferred key checks are pending events on
		// build, which ALTER TABLE refuses: check them now.
		"SET CONSTRAINTS ALL IMMEDIATE",
		// data_version needs no bump of its own: the copies of user, job
		// and job_tag bumped it through their statement triggers.
		"ALTER TABLE build ENABLE TRIGGER USER",
		"ALTER TABLE repro_group ENABLE TRIGGER USER",
		"ALTER TABLE latest_build ENABLE TRIGGER USER",
		// Once per job what those triggers would have done (0011).
		"SELECT count(job_change_bump(id)) FROM job",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("after the copy: %w", err)
		}
	}
	return nil
}

// analyze gives the planner statistics of the copied tables at once:
// autovacuum would get to them only later, and until then PostgreSQL plans
// the pages' queries for empty tables.
func (*postgresDialect) analyze(ctx context.Context, w *bun.DB) error {
	if _, err := w.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
