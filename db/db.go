// Package db stores builds, artifacts, jobs and accounts in the SQLite database
// of the reference builder-web (schema version 18), through bun, or in a
// PostgreSQL database of the same schema (OpenLocation) shared by several
// nodes.
//
// Reads go to a pool of connections (DB.read); all writes go through WriteTx,
// which runs on a single connection with BEGIN IMMEDIATE, so writers queue in
// Go instead of failing with "database is locked" (the GoToSocial approach).
// On PostgreSQL an advisory lock taken first in every write transaction
// makes the writers of all nodes queue the same way.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/schema"
)

const (
	// ApplicationID is the reference's PRAGMA application_id (0x499A26C3).
	ApplicationID = 1234839235
	// SchemaVersion is the reference's PRAGMA user_version. Our own
	// migrations never change it, so the reference can still open the file.
	SchemaVersion = 18

	// DefaultBusyTimeout is how long a connection waits for a lock held by
	// another process (builder-db running next to the server, a WAL
	// checkpoint) before giving up with ErrBusy.
	DefaultBusyTimeout = 10 * time.Second
)

// Options controls Open.
type Options struct {
	// Create allows Open to create a missing database file. The server and
	// `builder-db migrate` set it; all other tools refuse to work on a
	// database that does not exist, as the reference does.
	Create bool
	// BusyTimeout replaces DefaultBusyTimeout when positive (tests).
	BusyTimeout time.Duration
}

// DB is an open builder-web database.
type DB struct {
	// read is a pool of connections for queries. Writing through it fails
	// (the connections are query_only); use WriteTx.
	read *bun.DB

	// w has exactly one connection, so write transactions are serialised
	// by database/sql's pool and never contend for SQLite's lock.
	w *bun.DB

	path string // absolute; empty for PostgreSQL
	loc  Location

	// dialect holds the SQL that differs between the backends.
	dialect dialect

	// overview keeps the front page's entries per job (db/overview.go),
	// repro the builds of the jobs whose reproducibility view was read
	// last (db/reprocache.go).
	overview *overviewCache
	repro    *reproCache
}

// Path is the SQLite database file; empty for PostgreSQL.
func (d *DB) Path() string { return d.path }

// Location is where the database lives.
func (d *DB) Location() Location { return d.loc }

// OpenLocation opens the database at loc: SQLite (as Open) or PostgreSQL.
// A PostgreSQL database must exist (an empty one is fine); opts.Create
// only matters for SQLite's file.
func OpenLocation(ctx context.Context, loc Location, opts Options) (*DB, error) {
	if loc.Postgres() {
		return openPostgres(ctx, loc, opts)
	}
	return Open(ctx, loc.Path, opts)
}

// Open opens (or, with opts.Create, creates) the SQLite database at path.
// It does not migrate; call Migrate or CheckVersion afterwards.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if !opts.Create {
		if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s does not exist, create it with `builder-db migrate`", abs)
		} else if err != nil {
			return nil, fmt.Errorf("open database %s: %w", abs, err)
		}
	}

	// The writer is opened (and pinged) first: it creates the file and
	// switches it to WAL before any reader connects.
	wsql, err := sql.Open("sqlite3", dsn(abs, true, opts))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	wsql.SetMaxOpenConns(1)
	wsql.SetMaxIdleConns(1)
	wsql.SetConnMaxLifetime(0)
	wsql.SetConnMaxIdleTime(0)
	if err := wsql.PingContext(ctx); err != nil {
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}

	rsql, err := sql.Open("sqlite3", dsn(abs, false, Options{BusyTimeout: opts.BusyTimeout}))
	if err != nil {
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", abs, err)
	}
	setReaderPool(rsql)
	if err := rsql.PingContext(ctx); err != nil {
		_ = rsql.Close()
		_ = wsql.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", abs, err)
	}

	return wrapPools(rsql, wsql, func() schema.Dialect { return sqlitedialect.New() }, sqliteDialect{}, Location{Path: abs}), nil
}

// readerCacheKiB bounds each reader connection's page cache. SQLite's
// default (2 MiB) is smaller than the pages one front page miss reads (a
// build, its main binary and its reproducibility group for each of 400
// entries on the 200,000-build set: 540 pages, 2.1 MiB), so every miss
// read them all from the file again (~500 preads). Twice that fits the
// front page and a job page; more counts against the server's memory bar
// (64 MiB) for every reader connection.
const readerCacheKiB = 4 << 10

// readerStatements is how many prepared statements a reader connection
// keeps (least recently used dropped), more than the page queries.
const readerStatements = 96

// dsn builds a mattn/go-sqlite3 URI. Every connection gets WAL (readers never
// block the writer), a busy timeout and enforced foreign keys; the writer also
// gets synchronous=FULL (a committed upload survives power loss) and
// BEGIN IMMEDIATE (it takes the write lock at BEGIN, so a transaction never
// fails half-way on a lock upgrade).
func dsn(path string, writer bool, opts Options) string {
	busy := DefaultBusyTimeout
	if opts.BusyTimeout > 0 {
		busy = opts.BusyTimeout
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busy.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "1")
	if writer {
		q.Set("_txlock", "immediate")
		q.Set("_synchronous", "FULL")
		if opts.Create {
			q.Set("mode", "rwc")
		} else {
			q.Set("mode", "rw")
		}
	} else {
		q.Set("_txlock", "deferred")
		q.Set("_synchronous", "NORMAL")
		q.Set("_query_only", "1")
		q.Set("_cache_size", fmt.Sprint(-readerCacheKiB))
		// Pages run the same few dozen constant queries: each connection
		// keeps them prepared instead of parsing and planning every time.
		q.Set("_stmt_cache_size", fmt.Sprint(readerStatements))
		q.Set("mode", "rw")
	}
	// SQLite decodes %XX in URI file names, so escaping the path keeps names
	// with '?', '#' or '%' intact.
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

// Close closes both pools.
func (d *DB) Close() error {
	return errors.Join(d.read.Close(), d.w.Close())
}

// Tx is a write transaction of WriteTx. Its operations are the functions
// of this package that take it; bun stays inside this package.
type Tx struct {
	tx      bun.Tx
	dialect dialect
}

// WriteTx runs fn in a write transaction (BEGIN IMMEDIATE on the single writer
// connection) and commits if fn returns nil. It is the only way to write.
//
// Inside fn use tx only: the writer has one connection, so a call that needs
// another writer connection would wait forever, and reads outside tx do not
// see the transaction's own changes.
func (d *DB) WriteTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, &Tx{tx, d.dialect}) })
}

// writeTx is WriteTx for this package's own writes. Its first statement
// waits for the write transactions of other processes on PostgreSQL
// (dialect.lockWriters), as BEGIN IMMEDIATE does on SQLite.
func (d *DB) writeTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.w.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := d.dialect.lockWriters(ctx, tx); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// BulkLoad trades durability for speed on the writer for the rest of this
// process: commits no longer wait for the disk, and the writer caches up to
// 128 MiB of pages. For loads that are simply rerun after a crash
// (builder-db generate); never for the server.
func (d *DB) BulkLoad(ctx context.Context) error {
	return d.dialect.bulkLoad(ctx, d.w)
}
