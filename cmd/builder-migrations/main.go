// Command builder-migrations lists, applies and rolls back builder-web's
// schema migrations of a data directory's database (product §6.1).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/migrations"
)

const usage = `Usage: builder-migrations COMMAND [N] [flags]

Lists, applies and rolls back builder-web's migrations of the database in a
data directory. The first migration (the baseline) is the reference's
schema version 18; later ones only add tables, columns and indices, so the
reference can still read the database.

Commands:
  status     list every migration as applied (with its time) or pending
  up         apply the pending migrations; creates the data directory and
             database when missing (same as builder-db migrate)
  down [N]   roll back the last N applied migrations (default 1); the
             baseline is never rolled back
  help       show this help

Flags (before or after the command):
  -d, --datadir DIR    data directory (env BUILDER_WEB_DATADIR, default /var/lib/builder-web)
  -h, --help           show this help

Errors exit with status 2, as the reference's builder-migrations.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fs := flag.NewFlagSet("builder-migrations", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := cli.DataDirDefault(cli.DefaultDataDir)
	fs.StringVar(&dataDir, "datadir", dataDir, "")
	fs.StringVar(&dataDir, "d", dataDir, "")
	var database string
	cli.DatabaseVar(fs, &database)
	pos, err := cli.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) || err == nil && len(pos) > 0 && pos[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err == nil {
		err = dispatch(ctx, target{dataDir, database}, pos, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "builder-migrations: %v\n", err)
		return 2
	}
	return 0
}

// target is the data directory and database the command works on.
type target struct {
	dataDir  string
	database string // --database; empty for SQLite in dataDir
}

func (t target) open(ctx context.Context, mode datadir.Mode) (*datadir.Data, error) {
	return datadir.Open(ctx, t.dataDir, datadir.Options{Mode: mode, Database: t.database})
}

func dispatch(ctx context.Context, dataDir target, pos []string, stdout io.Writer) error {
	if len(pos) == 0 {
		return errors.New("missing command: status, up or down (see --help)")
	}
	cmd, rest := pos[0], pos[1:]
	maxRest := 0
	if cmd == "down" {
		maxRest = 1
	}
	if len(rest) > maxRest {
		return fmt.Errorf("%s: unexpected argument %q (see --help)", cmd, rest[maxRest])
	}
	switch cmd {
	case "status":
		return status(ctx, dataDir, stdout)
	case "up":
		return up(ctx, dataDir, stdout)
	case "down":
		n := 1
		if len(rest) == 1 {
			v, err := strconv.Atoi(rest[0])
			if err != nil || v <= 0 {
				return fmt.Errorf("down: N must be a positive number, not %q", rest[0])
			}
			n = v
		}
		return down(ctx, dataDir, n, stdout)
	}
	return fmt.Errorf("unknown command %q (see --help)", cmd)
}

// open opens an existing database without checking what is applied.
// open opens the database as it is: status and down work on any version.
func open(ctx context.Context, dataDir target) (*db.DB, error) {
	data, err := dataDir.open(ctx, datadir.AsIs)
	if err != nil {
		return nil, err
	}
	return data.DB, nil
}

func status(ctx context.Context, dataDir target, w io.Writer) error {
	d, err := open(ctx, dataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	states, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	width := 0
	for _, s := range states {
		width = max(width, len(s.ID))
	}
	for _, s := range states {
		if !s.Applied {
			fmt.Fprintf(w, "%-*s  pending\n", width, s.ID)
			continue
		}
		at := "time unknown"
		if !s.AppliedAt.IsZero() {
			at = s.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%-*s  applied  %s\n", width, s.ID, at)
	}
	return nil
}

func up(ctx context.Context, dataDir target, w io.Writer) error {
	data, err := dataDir.open(ctx, datadir.Migrated)
	if err != nil {
		return err
	}
	defer data.Close()
	data.Report.Write(w)
	return nil
}

func down(ctx context.Context, dataDir target, n int, w io.Writer) error {
	d, err := open(ctx, dataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	before, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	done, err := d.MigrateDown(ctx, n)
	if err != nil {
		return err
	}
	after, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for i := len(before) - 1; i >= 0; i-- {
		if before[i].Applied && !after[i].Applied {
			fmt.Fprintf(w, "rolled back %s\n", before[i].ID)
		}
	}
	if done == 0 {
		fmt.Fprintf(w, "nothing to roll back (%s is never rolled back)\n", migrations.Baseline)
	} else if done < n {
		fmt.Fprintf(w, "rolled back %d of %d: %s is never rolled back\n", done, n, migrations.Baseline)
	}
	return nil
}
