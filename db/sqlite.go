package db

import (
	"context"
	"fmt"

	migrate "github.com/rubenv/sql-migrate"
	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/migrations"
)

// sqliteDialect is SQLite, the embedded default.
type sqliteDialect struct{}

func (sqliteDialect) migrateName() string { return "sqlite3" }

func (sqliteDialect) migrations() migrate.MigrationSource { return migrations.Source() }

func (sqliteDialect) header(ctx context.Context, q bun.IDB) (appID, version int64, err error) {
	if err := q.NewRaw("PRAGMA application_id").Scan(ctx, &appID); err != nil {
		return 0, 0, fmt.Errorf("read application_id: %w", err)
	}
	if err := q.NewRaw("PRAGMA user_version").Scan(ctx, &version); err != nil {
		return 0, 0, fmt.Errorf("read user_version: %w", err)
	}
	return appID, version, nil
}

func (sqliteDialect) tables(ctx context.Context, q bun.IDB) ([]string, error) {
	var names []string
	if err := q.NewRaw("SELECT name FROM sqlite_master WHERE type = 'table'").Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

func (sqliteDialect) bind(query string) string { return query }

func (sqliteDialect) sql(query string) string { return query }

// lockWriters has nothing to do: the writer's BEGIN IMMEDIATE took
// SQLite's one write lock of the file, for every process on the machine.
func (sqliteDialect) lockWriters(context.Context, bun.Tx) error { return nil }

// lockMigrations has nothing to do: sql-migrate runs each migration in a
// transaction of the writer, which BEGIN IMMEDIATE makes exclusive, and
// the second process then finds it recorded.
func (sqliteDialect) lockMigrations(context.Context, *bun.DB) (func(), error) { return func() {}, nil }

// afterCopy has nothing to do: AUTOINCREMENT follows the largest id
// inserted (sqlite_sequence).
func (sqliteDialect) afterCopy(context.Context, bun.Tx, string) error { return nil }

// beginCopy: SQLite's triggers cannot be switched off, so builds get their
// main binary after their artifacts and the triggers fill latest_build and
// repro_group; SQLite rewrites a row in place, so that costs no more than
// the inserts.
func (sqliteDialect) beginCopy(context.Context, bun.Tx) (bool, error) { return false, nil }

func (sqliteDialect) endCopy(context.Context, bun.Tx) error { return nil }

// analyze has nothing to do: the queries that need a plan SQLite would not
// choose by itself name their index (INDEXED BY).
func (sqliteDialect) analyze(context.Context, *bun.DB) error { return nil }

func (sqliteDialect) bulkLoad(ctx context.Context, w *bun.DB) error {
	// A bigger page cache on the writer keeps the indexes that grow at
	// random places (build uuid, artifact sha256) in memory: at a million
	// builds they are hundreds of MiB, and reading their pages back from
	// the file dominated a commit.
	for _, pragma := range []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -131072"} {
		if _, err := w.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("bulk load: %w", err)
		}
	}
	return nil
}
