package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/db"
)

var vacuumCmd = &command{
	name:    "vacuum",
	args:    "older-than DATETIME | except-latest N | except-latest-successful N",
	minArgs: 2, maxArgs: 2,
	summary: "remove old builds and the files only they use",
	help: `Removes builds with their console and script files and the artifact files
that no remaining build shares:

  older-than DATETIME          builds that finished at or before DATETIME,
                               RFC 3339 in UTC (2024-01-31T00:00:00Z)
  except-latest N              all but the N most recently started builds
                               of each job, failed or not
  except-latest-successful N   every build that finished at or before the
                               N-th most recent successful build of its job,
                               except that build; nothing when a job has
                               fewer than N successful builds

Without --job every job is vacuumed. The builds are removed in batches, each
in its own transaction, so uploads continue meanwhile; every removed build is
printed, then a summary. Files that cannot be deleted are listed and make the
exit status 1; their builds are gone from the database regardless.

Flags:
      --job NAME       only this job (repeatable)
      --platform P     only builds on platform P; except-latest and
                       except-latest-successful then count builds on P only
      --dry-run        print what would be removed, remove nothing
      --batch N        builds per transaction (default 100)`,
	setup: func(fs *flag.FlagSet) runFunc {
		var jobs cli.Strings
		fs.Var(&jobs, "job", "")
		platform := fs.String("platform", "", "")
		dryRun := fs.Bool("dry-run", false, "")
		batch := fs.Int("batch", ops.DefaultVacuumBatch, "")
		return func(ctx context.Context, e *env, args []string) error {
			opts := ops.VacuumOptions{Jobs: jobs, Platform: *platform, DryRun: *dryRun, Batch: *batch}
			if *batch <= 0 {
				return &usageError{cmd: "vacuum", msg: "--batch must be positive"}
			}
			if err := parseVacuumMode(args[0], args[1], &opts); err != nil {
				return err
			}
			d, st, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			verb := "removed"
			if opts.DryRun {
				verb = "would remove"
			}
			opts.Removed = func(b db.VacuumBuild) {
				fmt.Fprintf(e.stdout, "%s build %s %s %s\n", verb, b.Job, b.UUID, b.Start.Format(displayTime))
			}
			opts.Note = func(msg string) { fmt.Fprintln(e.stdout, msg) }
			rep, err := ops.Vacuum(ctx, d, st, opts)
			if rep.Jobs > 0 || err == nil {
				if opts.DryRun {
					fmt.Fprintf(e.stdout, "dry run: would remove %s of %s\n",
						plural(rep.Builds, "build"), plural(rep.Jobs, "job"))
				} else {
					fmt.Fprintf(e.stdout, "removed %s of %s and %s\n", plural(rep.Builds, "build"),
						plural(rep.Jobs, "job"), plural(rep.Artifacts, "artifact file"))
					if rep.Reports > 0 {
						fmt.Fprintf(e.stdout, "removed %s whose binaries are gone\n", plural(rep.Reports, "diffoscope report"))
					}
					if rep.Visualizations > 0 {
						fmt.Fprintf(e.stdout, "removed %s whose inputs are gone\n", plural(rep.Visualizations, "cached visualization"))
					}
				}
			}
			if err != nil {
				return err
			}
			for _, p := range rep.Problems {
				fmt.Fprintf(e.stderr, "builder-db: warning: %v\n", p)
			}
			if len(rep.Problems) > 0 {
				return fmt.Errorf("%d files or directories could not be deleted", len(rep.Problems))
			}
			return nil
		}
	},
}

// displayTime is how times are shown to people (reference §14).
const displayTime = "2006-01-02 15:04:05Z"

func parseVacuumMode(mode, arg string, opts *ops.VacuumOptions) error {
	switch mode {
	case "older-than":
		t, err := ops.ParseVacuumTime(arg)
		if err != nil {
			return err
		}
		opts.Mode, opts.Before = ops.VacuumOlderThan, t
		return nil
	case "except-latest":
		opts.Mode = ops.VacuumExceptLatest
	case "except-latest-successful":
		opts.Mode = ops.VacuumExceptLatestSuccessful
	default:
		return &usageError{cmd: "vacuum", msg: fmt.Sprintf("unknown mode %q: want older-than, except-latest or except-latest-successful", mode)}
	}
	n, err := strconv.Atoi(arg)
	if err != nil {
		return &usageError{cmd: "vacuum", msg: fmt.Sprintf("%s: %q is not a number", mode, arg)}
	}
	if n <= 0 {
		return fmt.Errorf("%s: N must be positive, not %d", mode, n)
	}
	opts.N = n
	return nil
}

// plural is "1 build", "2 builds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
