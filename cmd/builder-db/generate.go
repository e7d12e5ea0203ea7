package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/internal/generate"
)

var generateCmd = &command{
	name: "generate", maxArgs: 0,
	summary: "fill a data directory with realistic generated builds",
	help: `Creates (or migrates) the data directory and stores generated builds in it
through the upload path, oldest first: JOBS x PLATFORMS x BUILDS records with
realistic opam switches, build environments, consoles, binaries and results,
one hour apart per job and platform, the newest finishing now. For
development, demos and benchmarks.

Build UUIDs depend on the seed and the record's position only: records whose
UUID is stored already are skipped, so an interrupted run can be repeated
with the same flags (and the --end it printed, for the same times); use
another --seed to add more builds. Unlike an upload, generate writes a
build's files before its commit and is not recovered after a crash: a run
killed part-way leaves files no row references (verify-data-dir lists
them) until it is repeated.

The builds are attributed to --user, or to the account "generate" (created
unrestricted and without a password, so nobody can log in as it).

Flags:
      --jobs N         number of jobs (default 20)
      --platforms N    number of platforms (default 3)
      --builds N       builds of each job on each platform (default 10)
      --seed S         seed of the generator (default 1)
      --user NAME      the account the builds are attributed to
      --end TIME       when the newest build finishes, RFC 3339 (default: now);
                       with it the same flags give the same data
      --workers N      goroutines encoding records (default: number of CPUs)`,
	setup: func(fs *flag.FlagSet) runFunc {
		jobs := fs.Int("jobs", 20, "")
		platforms := fs.Int("platforms", 3, "")
		builds := fs.Int("builds", 10, "")
		seed := fs.Int64("seed", 1, "")
		user := fs.String("user", "", "")
		endFlag := fs.String("end", "", "")
		workers := fs.Int("workers", runtime.GOMAXPROCS(0), "")
		return func(ctx context.Context, e *env, args []string) error {
			if *jobs <= 0 || *platforms <= 0 || *builds < 0 || *workers <= 0 {
				return &usageError{cmd: "generate", msg: "--jobs, --platforms and --workers must be positive, --builds not negative"}
			}
			end := time.Now().UTC().Truncate(time.Millisecond)
			if *endFlag != "" {
				t, err := time.Parse(time.RFC3339Nano, *endFlag)
				if err != nil {
					return &usageError{cmd: "generate", msg: "--end: want an RFC 3339 time such as 2026-12-07T15:49:05.123Z"}
				}
				end = t.UTC().Truncate(time.Millisecond)
			}
			keepFreedHeap(64 << 20)
			data, err := e.migrate(ctx)
			if err != nil {
				return err
			}
			defer data.Close()
			d, st, rep := data.DB, data.Store, data.Report
			if rep.Created || len(rep.Applied) > 0 || rep.Adopted {
				rep.Write(e.stdout)
			}
			// The visualization cache a server's upload hooks would fill:
			// without it verify-cache-dir reports the directory missing.
			if err := os.MkdirAll(filepath.Join(e.dataDir, store.CacheDir), 0o755); err != nil {
				return fmt.Errorf("create cache directory: %w", err)
			}
			// Generated data is rerun, not recovered, after a crash: skip
			// the fsyncs that make real uploads durable.
			st.NoSync = true
			if err := d.BulkLoad(ctx); err != nil {
				return err
			}
			var u ingest.Uploader
			if *user != "" {
				u, err = ops.Uploader(ctx, d, *user)
			} else {
				u, err = ops.GeneratorUploader(ctx, d)
			}
			if err != nil {
				return userError(*user, err)
			}
			g := generate.New(generate.Options{
				Jobs: *jobs, Platforms: *platforms, Builds: *builds, Seed: *seed,
				End: end,
			})
			fmt.Fprintf(e.stdout, "generating %d builds, the newest finishing at --end %s\n", g.Count(), end.Format(time.RFC3339Nano))
			in := &ingest.Ingester{DB: d, Store: st, Log: e.log}
			p := newProgress(e.stderr, g.Count())
			res, err := ops.Generate(ctx, in, u, g, *workers, func(done, total int) {
				progressTo(p, done, total)
			})
			_ = p.Finish()
			rate := float64(res.Stored) / max(res.Elapsed.Seconds(), 1e-9)
			fmt.Fprintf(e.stdout, "generated %d builds in %s (%.1f builds/s)", res.Stored,
				res.Elapsed.Round(time.Millisecond), rate)
			if res.Stored > 0 {
				fmt.Fprintf(e.stdout, "; writer %.3f ms per build (%.3f ms CPU)",
					res.Writer.Seconds()*1000/float64(res.Stored), res.WriterCPU.Seconds()*1000/float64(res.Stored))
			}
			if res.Skipped > 0 {
				fmt.Fprintf(e.stdout, "; %d stored already", res.Skipped)
			}
			fmt.Fprintln(e.stdout)
			return err
		}
	},
}
