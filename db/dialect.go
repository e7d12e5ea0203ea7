package db

import (
	"context"

	migrate "github.com/rubenv/sql-migrate"
	"github.com/uptrace/bun"
)

// dialect is everything whose SQL differs between SQLite and PostgreSQL,
// chosen once at Open: queries elsewhere in this package are written once
// for both.
type dialect interface {
	// migrateName is sql-migrate's name of the dialect.
	migrateName() string
	// migrations are the backend's migration files.
	migrations() migrate.MigrationSource
	// header reads the application id and schema version the reference
	// checks; both are zero in a database that has neither.
	header(ctx context.Context, q bun.IDB) (appID, version int64, err error)
	// tables lists the names of the database's tables.
	tables(ctx context.Context, q bun.IDB) ([]string, error)
	// bind rewrites a query's ? parameters into the driver's own, for
	// statements prepared without bun.
	bind(query string) string
	// afterCopy brings the table's id generator past the ids CopyTo
	// inserted.
	afterCopy(ctx context.Context, tx bun.Tx, table string) error
	// beginCopy prepares tx for CopyTo's rows. It reports whether builds
	// may be inserted with their main binary at once (the build table's
	// own triggers are off, and endCopy fills what they keep) or must get
	// it after their artifacts, through the triggers.
	beginCopy(ctx context.Context, tx bun.Tx) (mainBinaryAtOnce bool, err error)
	// endCopy undoes beginCopy after the rows are in, in the same
	// transaction.
	endCopy(ctx context.Context, tx bun.Tx) error
	// analyze refreshes the planner's statistics after a bulk load.
	analyze(ctx context.Context, w *bun.DB) error
	// bulkLoad trades durability for speed on the writer (DB.BulkLoad).
	bulkLoad(ctx context.Context, w *bun.DB) error
	// sql returns a query of this package, written in SQLite's SQL, as
	// the backend runs it. Queries are constants, never built from input.
	sql(query string) string
	// lockWriters runs first in every write transaction and waits until
	// no other process's write transaction runs: only then may a writer
	// decide that an artifact file is unreferenced and delete it
	// (product.md §6.2), while another moves the same content in place.
	lockWriters(ctx context.Context, tx bun.Tx) error
	// lockMigrations waits until no other process migrates the database,
	// on w's one connection, and returns the function that lets the next
	// one go: two nodes starting at once must not both run a migration.
	lockMigrations(ctx context.Context, w *bun.DB) (unlock func(), err error)
}
