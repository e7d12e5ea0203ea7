package db

import (
	"context"
	"fmt"
)

// Counts are the totals /metrics reports about the database.
type Counts struct {
	Jobs          int64
	Builds        int64
	FailedBuilds  int64
	Artifacts     int64 // build_artifact rows
	ArtifactBytes int64 // sum of their sizes, before deduplication
}

// Stored is what the artifact store holds: one file per distinct SHA-256.
type Stored struct {
	Files int64
	Bytes int64
}

// The statistics queries are aggregates and read whole indices by nature;
// they are not page queries and stay out of plan_test.go. Their cost on the
// data set of product.md §4 (200,000 builds, 1.2M artifacts): the counts
// read covering indices (a few ms each), the artifact sum reads the
// build_artifact table in order (~0.1 s); callers cache them. sqlStored
// visits the rows in hash order (seconds) and is meant for a rare
// background refresh.
const (
	sqlCountJobs      = "SELECT count(*) FROM job"
	sqlCountBuilds    = "SELECT count(*) FROM build"
	sqlCountFailed    = "SELECT count(*) FROM build WHERE main_binary IS NULL"
	sqlCountArtifacts = "SELECT count(*), coalesce(sum(size), 0) FROM build_artifact"
	sqlStored         = `SELECT count(*), coalesce(sum(size), 0)
	FROM (SELECT max(size) AS size FROM build_artifact GROUP BY sha256)`
	sqlReady = "SELECT 1"
)

// Counts returns the row totals, read in one transaction so they agree.
func (d *DB) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	tx, err := d.read.BeginTx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	for _, q := range []struct {
		query string
		dest  []any
	}{
		{sqlCountJobs, []any{&c.Jobs}},
		{sqlCountBuilds, []any{&c.Builds}},
		{sqlCountFailed, []any{&c.FailedBuilds}},
		{sqlCountArtifacts, []any{&c.Artifacts, &c.ArtifactBytes}},
	} {
		if err := tx.QueryRowContext(ctx, d.sql(q.query)).Scan(q.dest...); err != nil {
			return c, fmt.Errorf("count rows (%s): %w", q.query, err)
		}
	}
	return c, nil
}

// StoredContent returns the number and total size of distinct artifact
// contents. It is slow on large databases; see the queries above.
func (d *DB) StoredContent(ctx context.Context) (Stored, error) {
	var s Stored
	if err := d.read.QueryRowContext(ctx, d.sql(sqlStored)).Scan(&s.Files, &s.Bytes); err != nil {
		return s, fmt.Errorf("sum stored artifacts: %w", err)
	}
	return s, nil
}

// Ready reports whether the database answers a trivial query.
func (d *DB) Ready(ctx context.Context) error {
	var one int
	if err := d.read.QueryRowContext(ctx, d.sql(sqlReady)).Scan(&one); err != nil {
		return fmt.Errorf("database not ready: %w", err)
	}
	return nil
}
