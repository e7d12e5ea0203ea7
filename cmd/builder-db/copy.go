package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/builder-web/builder-web/db"
)

var copyDatabaseCmd = &command{
	name: "copy-database", args: "--to URL|FILE", minArgs: 0, maxArgs: 0,
	summary: "copy the database into an empty PostgreSQL database or a new SQLite file",
	help: `Copies every row of the data directory's database (SQLite, or the one
--database names) into an empty PostgreSQL database (--to postgres://…) or a
new SQLite file (--to FILE), which is created and migrated first. Ids are
kept; the tables that triggers keep are rebuilt by the destination's
triggers; the row counts of both are compared at the end. The artifacts
stay in the data directory: point the servers at the new database with
--database (or move FILE to DATADIR/builder.sqlite3). Stop the servers
first: rows written during the copy are not copied.

Flags:
  --to URL|FILE   the destination`,
	setup: func(fs *flag.FlagSet) runFunc {
		to := fs.String("to", "", "")
		return func(ctx context.Context, e *env, _ []string) error {
			return copyDatabase(ctx, e, *to)
		}
	},
}

func copyDatabase(ctx context.Context, e *env, to string) error {
	loc, err := db.ParseCopyTarget(to)
	if err != nil {
		return &usageError{cmd: "copy-database", msg: err.Error()}
	}
	if !loc.Postgres() {
		if _, err := os.Stat(loc.Path); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--to %s: the file exists; copy into a new file", loc.Path)
		}
	}
	src, _, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := db.OpenLocation(ctx, loc, db.Options{Create: true})
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := dst.Migrate(ctx); err != nil {
		return err
	}
	tty := isTerminal(e.stderr)
	counts, err := src.CopyTo(ctx, dst, func(table string, done, total int64) {
		switch {
		case tty && done < total:
			fmt.Fprintf(e.stderr, "\rcopy %-15s %d/%d", table, done, total)
		case tty:
			fmt.Fprintf(e.stderr, "\rcopy %-15s %d/%d\n", table, done, total)
		case done == total:
			fmt.Fprintf(e.stderr, "copy %-15s %d/%d\n", table, done, total)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copied to %s: %d users, %d jobs, %d builds, %d artifacts; row counts verified\n",
		loc, counts["user"], counts["job"], counts["build"], counts["build_artifact"])
	return nil
}
