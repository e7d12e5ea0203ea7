// Package datadir opens a data directory: its database and its artifact
// store. The server, builder-db and builder-migrations all open one here,
// each in the mode it needs, so that what "a usable data directory" means
// is decided in one place.
package datadir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/migrations"
)

// Mode is how much of a data directory must already be there.
type Mode int

const (
	// Current is for operator commands and the server started with
	// --no-migrate: the directory and its database must exist, at the
	// reference's schema 18, with none of our migrations pending (they
	// add the tables and columns the commands and pages use).
	Current Mode = iota
	// Migrated creates a missing directory and database and applies the
	// pending migrations (server start, `builder-db migrate`,
	// `builder-migrations up`). A reference database of schema 18 is
	// adopted; older ones are refused.
	Migrated
	// AsIs opens an existing database without any check, for
	// `builder-migrations status` and `down`, which work on any version.
	AsIs
)

// Options are how to open it. The zero value opens for an operator
// command.
type Options struct {
	Mode Mode
	// BusyTimeout is SQLite's busy_timeout; 0 is db's default.
	BusyTimeout time.Duration
	// Database is the --database value: empty for SQLite in the data
	// directory, or a postgres:// URL (db.ParseLocation).
	Database string
	// Node names the staging directory _staging/<node>/ of this process
	// (the --node flag); empty is store.DefaultNode, the host name.
	Node string
}

// Data is an open data directory. Close closes its database.
type Data struct {
	DB     *db.DB
	Store  *store.Store
	Report Report // what Migrated mode did
}

// Report says what opening with Migrated did.
type Report struct {
	// Path is the database file, or the PostgreSQL URL without password.
	Path string
	// Created is set when the database file did not exist before.
	Created bool
	// Adopted is set when a database holding the reference's schema 18
	// got our migration records: its baseline was recorded, not run.
	Adopted bool
	// Applied lists the migrations that ran, in order.
	Applied []string
}

// Write prints what happened, a line each, for the commands that migrate.
func (r Report) Write(w io.Writer) {
	if r.Created {
		fmt.Fprintf(w, "created database %s\n", r.Path)
	}
	if r.Adopted {
		fmt.Fprintf(w, "adopted the schema 18 database %s (%s recorded, not run)\n", r.Path, migrations.Baseline)
	}
	for _, id := range r.Applied {
		fmt.Fprintf(w, "applied migration %s\n", id)
	}
	if !r.Created && !r.Adopted && len(r.Applied) == 0 {
		fmt.Fprintf(w, "database %s is up to date\n", r.Path)
	}
}

// Close closes the database.
func (d *Data) Close() error { return d.DB.Close() }

// Open opens the data directory dir.
func Open(ctx context.Context, dir string, o Options) (*Data, error) {
	node := o.Node
	if node == "" {
		node = store.DefaultNode()
	}
	// Checked before the database is created or migrated.
	if err := store.ValidateNode(node); err != nil {
		if o.Node == "" {
			return nil, fmt.Errorf("%w (the host name): choose a node name with --node", err)
		}
		return nil, err
	}
	path := filepath.Join(dir, store.DBFile)
	loc, err := db.ParseLocation(o.Database, path)
	if err != nil {
		return nil, err
	}
	rep := Report{Path: loc.String()}
	if o.Mode == Migrated {
		if !loc.Postgres() {
			_, err := os.Stat(path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				rep.Created = true
			case err != nil:
				return nil, fmt.Errorf("open %s: %w", path, err)
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	} else {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("data directory %s is not a directory", dir)
		}
	}
	d, err := db.OpenLocation(ctx, loc, db.Options{Create: o.Mode == Migrated, BusyTimeout: o.BusyTimeout})
	if err != nil {
		return nil, err
	}
	if err := prepare(ctx, d, o.Mode, &rep); err != nil {
		d.Close()
		return nil, err
	}
	// The layout the server and the upload path expect.
	st, err := store.New(dir, node)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Data{DB: d, Store: st, Report: rep}, nil
}

// prepare checks the database for mode, and migrates it in Migrated mode.
func prepare(ctx context.Context, d *db.DB, mode Mode, rep *Report) error {
	switch mode {
	case AsIs:
		return nil
	case Current:
		if err := d.CheckVersion(ctx); err != nil {
			return err
		}
		n, err := d.Pending(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("the database has %d pending migration(s): run `builder-db migrate` first", n)
		}
		return nil
	}
	before, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	adoptable, err := d.Adoptable(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", rep.Path, err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	after, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	was := make(map[string]bool, len(before))
	for _, m := range before {
		was[m.ID] = m.Applied
	}
	rep.Adopted = adoptable
	for _, m := range after {
		if !m.Applied || was[m.ID] || (rep.Adopted && m.ID == migrations.Baseline) {
			continue
		}
		rep.Applied = append(rep.Applied, m.ID)
	}
	return nil
}
