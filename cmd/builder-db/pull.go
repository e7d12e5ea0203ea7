package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/mirror"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/views"
)

var pullCmd = &command{
	name: "pull", args: "URL", minArgs: 1, maxArgs: 1,
	summary: "copy the builds another builder-web has and this one lacks",
	help: `Reads the JSON of the builder-web at URL (its jobs, their builds and
artifacts) and stores every build this data directory lacks, fetched as a
builder record from /job/JOB/build/UUID/exec and stored exactly as an upload
would be (upload hooks are not run). Builds keep their UUIDs; their uploader
is the account "pull:HOST", created disabled (no one can log in with it).

Before a build is stored, each artifact's SHA-256 and size in the record
are compared with the source's JSON; a build that differs, or that the
upload checks refuse, is not stored: it is printed with its reason and the
pull goes on with the next one. Builds stored already are skipped before
anything is downloaded, so running pull again transfers only new builds.
On a terminal a status line shows the counts so far and the build at hand;
a summary line follows. The exit status is 1 if any build was refused, if a
job named with --job is not on the source, or if the source stops answering
(what was stored until then stays).

Flags:
      --job NAME          only this job (repeatable)
      --since DATETIME    only builds started at or after DATETIME,
                          RFC 3339 in UTC (2024-01-31T00:00:00Z)
      --max-record-size N refuse records larger than N bytes, with K/M/G
                          suffix (default 2G, the server's upload limit)`,
	setup: func(fs *flag.FlagSet) runFunc {
		var jobs cli.Strings
		fs.Var(&jobs, "job", "")
		since := fs.String("since", "", "")
		maxRecord := cli.Size(server.DefaultMaxUploadSize)
		fs.Var(&maxRecord, "max-record-size", "")
		return func(ctx context.Context, e *env, args []string) error {
			opts := mirror.Options{Jobs: jobs}
			if *since != "" {
				t, err := ops.ParseVacuumTime(*since)
				if err != nil {
					return &usageError{cmd: "pull", msg: "--since: " + err.Error()}
				}
				opts.Since = t
			}
			if _, err := mirror.ParseSource(args[0]); err != nil {
				return &usageError{cmd: "pull", msg: err.Error()}
			}
			d, st, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			p := &mirror.Puller{
				DB:        d,
				Ingest:    &ingest.Ingester{DB: d, Store: st, Log: e.log},
				MaxRecord: int64(maxRecord),
				Log:       e.log,
			}
			bar := newProgress(e.stderr, -1)
			opts.Progress = func(ev mirror.Event) {
				r := ev.Report
				bar.Describe(fmt.Sprintf("%d new, %d skipped, %d refused, %s: %s %s",
					r.New, r.Skipped, len(r.Refused), views.FormatSize(r.Bytes), ev.Job, ev.UUID))
			}
			rep, err := p.Pull(ctx, args[0], opts)
			_ = bar.Finish()
			for _, f := range rep.Refused {
				fmt.Fprintf(e.stderr, "refused %s\n", f)
			}
			fmt.Fprintf(e.stdout, "pulled %s\n", rep)
			if err != nil {
				return err
			}
			if len(rep.Refused) > 0 {
				return fmt.Errorf("%d refused (builds, or jobs the source named badly)", len(rep.Refused))
			}
			return nil
		}
	},
}
