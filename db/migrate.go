package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	migrate "github.com/rubenv/sql-migrate"
	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/migrations"
)

// referenceTables are the tables of schema 18. Their presence tells a fresh
// file from one the reference (or an earlier run of ours) created.
var referenceTables = []string{"job", "user", "build", "build_artifact", "access_list", "tag", "job_tag"}

// MigrationState is one of our migrations and whether it is applied.
type MigrationState struct {
	ID        string
	Applied   bool
	AppliedAt time.Time // zero when not applied
}

// schemaState is what Migrate needs to know about a database before touching it.
type schemaState struct {
	appID       int64
	userVersion int64
	tables      int                  // how many of referenceTables exist
	recorded    map[string]time.Time // rows of our migration table; nil without one
}

func (s *schemaState) baselineRecorded() bool {
	_, ok := s.recorded[migrations.Baseline]
	return ok
}

// inspect reads the header fields, the reference's tables and our migration
// records without creating anything.
func (d *DB) inspect(ctx context.Context, q bun.IDB) (*schemaState, error) {
	var s schemaState
	var err error
	if s.appID, s.userVersion, err = d.dialect.header(ctx, q); err != nil {
		return nil, err
	}
	names, err := d.dialect.tables(ctx, q)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	for _, t := range referenceTables {
		if have[t] {
			s.tables++
		}
	}
	if !have[migrations.TableName] {
		return &s, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT id, applied_at FROM "+migrations.TableName)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", migrations.TableName, err)
	}
	defer rows.Close()
	s.recorded = make(map[string]time.Time)
	for rows.Next() {
		var id string
		var at sql.NullTime
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("read %s: %w", migrations.TableName, err)
		}
		s.recorded[id] = at.Time
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", migrations.TableName, err)
	}
	return &s, nil
}

// Adoptable reports whether Migrate would adopt this database: it holds the
// reference's tables but no record of our baseline.
func (d *DB) Adoptable(ctx context.Context) (bool, error) {
	s, err := d.inspect(ctx, d.read)
	if err != nil {
		return false, err
	}
	return s.tables > 0 && !s.baselineRecorded(), nil
}

// errWrongAppID is the reference's message for a file that is not ours.
func errWrongAppID(got int64) error {
	return fmt.Errorf("Wrong database application id: %d, expected %d", got, ApplicationID) //nolint:staticcheck // reference wording
}

// plan decides what Migrate does with a database in state s: adopt it (the
// reference's schema 18 without our records), run everything (a fresh file),
// or refuse.
func (s *schemaState) plan() (adopt bool, err error) {
	if s.appID != 0 && s.appID != ApplicationID {
		return false, errWrongAppID(s.appID)
	}
	switch {
	case s.baselineRecorded():
		if s.appID != ApplicationID || s.userVersion != SchemaVersion {
			return false, fmt.Errorf("database records our baseline but has application_id %d and user_version %d; expected %d and %d",
				s.appID, s.userVersion, ApplicationID, SchemaVersion)
		}
		return false, nil
	case s.tables == 0 && s.userVersion == 0:
		return false, nil // fresh: the baseline creates everything
	case s.userVersion < SchemaVersion:
		return false, fmt.Errorf("database has schema version %d, expected %d: upgrade it with the reference's builder-migrations first",
			s.userVersion, SchemaVersion)
	case s.userVersion > SchemaVersion:
		return false, fmt.Errorf("database has schema version %d, newer than the supported %d", s.userVersion, SchemaVersion)
	case s.appID != ApplicationID:
		return false, errWrongAppID(s.appID)
	case s.tables != len(referenceTables):
		return false, fmt.Errorf("database has schema version %d but only %d of its %d tables", s.userVersion, s.tables, len(referenceTables))
	default:
		return true, nil
	}
}

// Migrate applies our pending migrations (product §6.1) and returns how many
// ran. A fresh database gets all of them. A database holding the reference's
// schema 18 without our migration table is adopted: the baseline is recorded
// as applied without running, missing tag names are added, and the remaining
// migrations run; no existing row changes. Anything older than schema 18 is
// refused.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	unlock, err := d.dialect.lockMigrations(ctx, d.w)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer unlock()
	st, err := d.inspect(ctx, d.w)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	adopt, err := st.plan()
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if adopt {
		if err := d.adopt(ctx); err != nil {
			return 0, fmt.Errorf("migrate: adopt existing schema %d: %w", SchemaVersion, err)
		}
	}
	n, err := migrations.Set().ExecContext(ctx, d.w.DB, d.dialect.migrateName(), d.dialect.migrations(), migrate.Up)
	if err != nil {
		return n, fmt.Errorf("migrate: %w", err)
	}
	if err := d.checkHeader(ctx, d.w); err != nil {
		return n, fmt.Errorf("migrate: after %d migrations: %w", n, err)
	}
	return n, nil
}

// adopt records the baseline as applied and adds the tag names the reference's
// `builder-db migrate` did not create, in one transaction.
func (d *DB) adopt(ctx context.Context) error {
	// Let sql-migrate create its table, so that its layout is exactly the
	// one sql-migrate reads later.
	if _, err := migrations.Set().GetMigrationRecords(d.w.DB, d.dialect.migrateName()); err != nil {
		return fmt.Errorf("create %s: %w", migrations.TableName, err)
	}
	return d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Bound by the driver, as sql-migrate inserts its own records.
		if _, err := tx.Tx.ExecContext(ctx,
			d.dialect.bind("INSERT INTO "+migrations.TableName+" (id, applied_at) VALUES (?, ?)"),
			migrations.Baseline, time.Now()); err != nil {
			return fmt.Errorf("record %s: %w", migrations.Baseline, err)
		}
		w := NewBuildWriter(&Tx{tx, d.dialect})
		defer w.Close()
		for _, name := range TagNames() {
			if _, err := w.ensureTag(ctx, name); err != nil {
				return err
			}
		}
		return nil
	})
}

// MigrationStatus lists our migrations in order with their state. It does not
// create the migration table.
func (d *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	all, err := d.dialect.migrations().FindMigrations()
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	st, err := d.inspect(ctx, d.read)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationState, 0, len(all))
	for _, m := range all {
		at, ok := st.recorded[m.Id]
		out = append(out, MigrationState{ID: m.Id, Applied: ok, AppliedAt: at})
	}
	return out, nil
}

// Pending returns how many of our migrations are not applied yet.
func (d *DB) Pending(ctx context.Context) (int, error) {
	states, err := d.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range states {
		if !s.Applied {
			n++
		}
	}
	return n, nil
}

// MigrateDown rolls back up to n of our most recent migrations and returns how
// many it rolled back. The baseline is never rolled back: it holds the data.
func (d *DB) MigrateDown(ctx context.Context, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	unlock, err := d.dialect.lockMigrations(ctx, d.w)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	defer unlock()
	st, err := d.inspect(ctx, d.w)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	if !st.baselineRecorded() {
		return 0, errors.New("migrate down: no migrations of ours are applied")
	}
	if len(st.recorded)-1 < n {
		n = len(st.recorded) - 1
	}
	if n == 0 {
		return 0, nil
	}
	done, err := migrations.Set().ExecMaxContext(ctx, d.w.DB, d.dialect.migrateName(), d.dialect.migrations(), migrate.Down, n)
	if err != nil {
		return done, fmt.Errorf("migrate down: %w", err)
	}
	return done, nil
}

// CheckVersion verifies that the file is a builder-web database of schema
// version 18, with the reference's error messages. Whether our own migrations
// are pending is a separate question (Pending).
func (d *DB) CheckVersion(ctx context.Context) error {
	return d.checkHeader(ctx, d.read)
}

func (d *DB) checkHeader(ctx context.Context, q bun.IDB) error {
	appID, version, err := d.dialect.header(ctx, q)
	if err != nil {
		return err
	}
	if appID != ApplicationID {
		return errWrongAppID(appID)
	}
	if version != SchemaVersion {
		return fmt.Errorf("Wrong database version: %d, expected %d (use the reference's builder-migrations)", version, SchemaVersion) //nolint:staticcheck // reference wording
	}
	return nil
}
