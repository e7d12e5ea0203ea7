package main

import (
	"context"
	"fmt"
	"io"

	"github.com/builder-web/builder-web/app/ops"
)

var migrateCmd = &command{
	name: "migrate", maxArgs: 0,
	summary: "create or upgrade the database (same as builder-migrations up)",
	help: `Creates the data directory and its database when they are missing and
applies every pending migration of builder-web; prints what it did. Running
it again does nothing.

A database that the reference builder-web created (schema version 18) is
adopted: its schema is recorded as the baseline, missing tag names are
added and later migrations applied, and no existing row changes. Older
databases are refused; upgrade them with the reference's builder-migrations.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		d, rep, err := ops.Migrate(ctx, e.dataDir)
		if err != nil {
			return err
		}
		defer d.Close()
		printMigrateReport(e.stdout, rep)
		return nil
	}),
}

func printMigrateReport(w io.Writer, rep ops.MigrateReport) {
	if rep.Created {
		fmt.Fprintf(w, "created database %s\n", rep.Path)
	}
	if rep.Adopted {
		fmt.Fprintf(w, "adopted the schema 18 database %s (baseline recorded, not run)\n", rep.Path)
	}
	for _, id := range rep.Applied {
		fmt.Fprintf(w, "applied migration %s\n", id)
	}
	if !rep.Created && !rep.Adopted && len(rep.Applied) == 0 {
		fmt.Fprintf(w, "database %s is up to date\n", rep.Path)
	}
}
