// Package ops holds the operator actions of builder-db and builder-migrations
// (and, later, of the admin pages): migrating a data directory, removing
// jobs with their files, including records from disk, and account changes
// that take more than one database call.
package ops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/migrations"
)

// MigrateReport says what Migrate did.
type MigrateReport struct {
	// Path is the database file.
	Path string
	// Created is set when the database file did not exist before.
	Created bool
	// Adopted is set when a database holding the reference's schema 18
	// got our migration records: its baseline was recorded, not run.
	Adopted bool
	// Applied lists the migrations that ran, in order.
	Applied []string
}

// Migrate creates the data directory and its database when missing and
// applies our pending migrations (product §6.1: `builder-db migrate` and
// `builder-migrations up`). A reference database of schema 18 is adopted;
// older ones are refused. The open database is returned for further work;
// the caller closes it.
func Migrate(ctx context.Context, dataDir string) (*db.DB, MigrateReport, error) {
	rep := MigrateReport{Path: filepath.Join(dataDir, store.DBFile)}
	_, err := os.Stat(rep.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.Created = true
	case err != nil:
		return nil, rep, fmt.Errorf("migrate %s: %w", rep.Path, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, rep, fmt.Errorf("create data directory: %w", err)
	}
	d, err := db.Open(ctx, rep.Path, db.Options{Create: true})
	if err != nil {
		return nil, rep, err
	}
	fail := func(err error) (*db.DB, MigrateReport, error) {
		d.Close()
		return nil, rep, err
	}
	before, err := d.MigrationStatus(ctx)
	if err != nil {
		return fail(err)
	}
	adoptable, err := d.Adoptable(ctx)
	if err != nil {
		return fail(fmt.Errorf("migrate %s: %w", rep.Path, err))
	}
	if _, err := d.Migrate(ctx); err != nil {
		return fail(err)
	}
	after, err := d.MigrationStatus(ctx)
	if err != nil {
		return fail(err)
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
	// The layout the server and the upload path expect.
	if _, err := store.New(dataDir); err != nil {
		return fail(err)
	}
	return d, rep, nil
}

// Open opens the existing database of a data directory for an operator
// command: it must exist, be the reference's schema 18 and have none of our
// migrations pending (those add the columns the commands use).
func Open(ctx context.Context, dataDir string) (*db.DB, *store.Store, error) {
	if fi, err := os.Stat(dataDir); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("data directory %s is not a directory", dataDir)
	}
	d, err := db.Open(ctx, filepath.Join(dataDir, store.DBFile), db.Options{})
	if err != nil {
		return nil, nil, err
	}
	if err := d.CheckVersion(ctx); err != nil {
		d.Close()
		return nil, nil, err
	}
	n, err := d.Pending(ctx)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	if n > 0 {
		d.Close()
		return nil, nil, fmt.Errorf("the database has %d pending migration(s): run `builder-db migrate` first", n)
	}
	st, err := store.New(dataDir)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, st, nil
}
