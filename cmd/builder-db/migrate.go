package main

import (
	"context"
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
		data, err := e.migrate(ctx)
		if err != nil {
			return err
		}
		defer data.Close()
		data.Report.Write(e.stdout)
		return nil
	}),
}
