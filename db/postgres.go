package db

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	migrate "github.com/rubenv/sql-migrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/builder-web/builder-web/migrations"
)

// postgresDialect is PostgreSQL, for several nodes sharing one database
// (issue 16). It is reached through pgx's database/sql driver: pgx is the
// maintained PostgreSQL driver of the Go ecosystem, reports server errors
// with their SQLSTATE (unique violations, lock timeouts), and the same
// module can LISTEN later; bun's own pgdriver is a smaller driver
// maintained only for bun.
type postgresDialect struct {
	// rewritten memoizes sql per query (db/postgres_sql.go).
	rewritten sync.Map
}

func (*postgresDialect) migrateName() string { return "postgres" }

func (*postgresDialect) migrations() migrate.MigrationSource { return migrations.PostgresSource() }

// header reads schema_header, which PostgreSQL's baseline creates in place
// of SQLite's header fields.
func (*postgresDialect) header(ctx context.Context, q bun.IDB) (appID, version int64, err error) {
	var exists bool
	if err := q.NewRaw("SELECT to_regclass('schema_header') IS NOT NULL").Scan(ctx, &exists); err != nil {
		return 0, 0, fmt.Errorf("read schema header: %w", err)
	}
	if !exists {
		return 0, 0, nil
	}
	row := q.QueryRowContext(ctx, "SELECT application_id, user_version FROM schema_header WHERE id = 1")
	if err := row.Scan(&appID, &version); err != nil {
		return 0, 0, fmt.Errorf("read schema header: %w", err)
	}
	return appID, version, nil
}

func (*postgresDialect) tables(ctx context.Context, q bun.IDB) ([]string, error) {
	var names []string
	err := q.NewRaw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`).Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return names, nil
}

// bind numbers the parameters ($1, $2, …). Our queries have no ? inside
// string literals, so every ? is a parameter.
func (*postgresDialect) bind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writersLockClass is the first key of the advisory lock that makes write
// transactions exclusive across nodes ("bw" in ASCII). The second key is
// the hash of the schema, so two sites in different schemas of one
// database (the tests' schemas among them) do not wait for each other.
const writersLockClass = 0x6277

// lockWriters takes a transaction-level advisory lock, PostgreSQL's
// equivalent of SQLite's BEGIN IMMEDIATE: the other nodes' writers wait
// for it, up to lock_timeout (the busy timeout), and then fail with
// lock_not_available, which IsBusy reports. Row locks alone let two nodes'
// transactions run at once, and a vacuum on one could then delete an
// artifact file that the other has just moved into place for a build it
// is about to commit. It is released at commit or rollback.
func (*postgresDialect) lockWriters(ctx context.Context, tx bun.Tx) error {
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))", writersLockClass); err != nil {
		return fmt.Errorf("wait for the other nodes' writers: %w", err)
	}
	return nil
}

// migrationsLockClass keys the advisory lock of lockMigrations ("bm"),
// like writersLockClass.
const migrationsLockClass = 0x626d

// lockMigrations takes a session-level advisory lock on the writer's one
// connection, which sql-migrate then uses: PostgreSQL runs DDL
// concurrently, so two nodes starting at once on an empty database would
// both create the tables, and one would fail. It polls instead of waiting
// in pg_advisory_lock, whose wait lock_timeout (the busy timeout) would
// cut short while another node runs a long migration; ctx ends the wait.
func (*postgresDialect) lockMigrations(ctx context.Context, w *bun.DB) (func(), error) {
	const key = "?, hashtext(current_schema())"
	for {
		var ok bool
		if err := w.NewRaw("SELECT pg_try_advisory_lock("+key+")", migrationsLockClass).Scan(ctx, &ok); err != nil {
			return nil, fmt.Errorf("wait for other nodes' migrations: %w", err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for other nodes' migrations: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		// Closing the connection would release it too.
		_, _ = w.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")", migrationsLockClass)
	}, nil
}

// afterCopy moves the identity column's sequence past the copied ids;
// session has none.
func (*postgresDialect) afterCopy(ctx context.Context, tx bun.Tx, table string) error {
	if table == "session" {
		return nil
	}
	q := `SELECT setval(pg_get_serial_sequence('"` + table + `"', 'id'), coalesce(max(id), 0) + 1, false) FROM "` + table + `"`
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("reset the ids of %s: %w", table, err)
	}
	return nil
}

func (*postgresDialect) bulkLoad(ctx context.Context, w *bun.DB) error {
	// The writer has one connection that is never recycled, so the
	// setting holds for the rest of the process.
	if _, err := w.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	return nil
}

// openPostgres opens the PostgreSQL database at loc.URL. As with SQLite,
// writes go through one connection: writers of this process queue in Go,
// and writers of other nodes wait for the advisory lock of lockWriters. The
// readers' sessions are read-only, as SQLite's query_only readers.
func openPostgres(ctx context.Context, loc Location, opts Options) (*DB, error) {
	name := loc.String()
	wcfg, err := pgx.ParseConfig(loc.URL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	busy := DefaultBusyTimeout
	if opts.BusyTimeout > 0 {
		busy = opts.BusyTimeout
	}
	// lock_timeout is PostgreSQL's busy timeout: a writer waits that long
	// for a row another node holds, then fails with ErrBusy's SQLSTATE.
	wcfg.RuntimeParams["lock_timeout"] = fmt.Sprint(busy.Milliseconds())
	// No JIT: our queries run for milliseconds, but a row estimate far
	// off (artifacts sharing a SHA-256) can lift a plan's cost over
	// jit_above_cost, and compiling it took seconds (the job page: 3.1 s,
	// 2.6 s of it JIT, on the 200,000-build set).
	wcfg.RuntimeParams["jit"] = "off"
	rcfg := wcfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	delete(rcfg.RuntimeParams, "lock_timeout")

	wsql := stdlib.OpenDB(*wcfg)
	wsql.SetMaxOpenConns(1)
	wsql.SetMaxIdleConns(1)
	if err := wsql.PingContext(ctx); err != nil {
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	rsql := stdlib.OpenDB(*rcfg)
	setReaderPool(rsql)
	if err := rsql.PingContext(ctx); err != nil {
		_ = rsql.Close()
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", name, err)
	}
	return wrapPools(rsql, wsql, func() schema.Dialect { return pgdialect.New() }, &postgresDialect{}, loc), nil
}

// setReaderPool sizes a reader pool, the same on both backends: a
// connection per core, and at least four so that a slow query (a feed, a
// vacuum's scan) does not hold up the pages.
func setReaderPool(rsql *sql.DB) {
	readers := max(4, runtime.GOMAXPROCS(0))
	rsql.SetMaxOpenConns(readers)
	rsql.SetMaxIdleConns(readers)
	rsql.SetConnMaxIdleTime(5 * time.Minute)
}

// wrapPools wraps the two pools of an opened database; each gets its own bun
// dialect, which caches per database.
func wrapPools(rsql, wsql *sql.DB, bd func() schema.Dialect, d dialect, loc Location) *DB {
	return &DB{
		read:    bun.NewDB(rsql, bd()),
		w:       bun.NewDB(wsql, bd()),
		path:    loc.Path,
		loc:     loc,
		dialect: d,

		overview: &overviewCache{jobs: map[int64]overviewJob{}},
		repro:    &reproCache{jobs: map[int64]*reproJob{}},
	}
}
