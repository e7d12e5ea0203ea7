package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/store"
	"github.com/schollz/progressbar/v3"
)

var verifyDataDirCmd = &command{
	name: "verify-data-dir", maxArgs: 0,
	summary: "check the data directory's files against the database",
	help: `Reads every artifact file the database references and checks its size and
SHA-256, checks that every build's console and script exist under
<job>/<uuid>/, and walks every file of the data directory (dotfiles too)
for files no row accounts for.

Errors (exit status 1): a missing, truncated or corrupt artifact file; a
missing console or script; a row pointing nowhere (an artifact of no build, a
build of no job, a main binary that is not an artifact of its build).
Warnings (exit status 0): untracked files, and artifact files no row
references. Expected besides those: builder.sqlite3 with its -wal and -shm
files, and anything under _staging/, _cache/ and _keys/.

Findings go to standard output, one per line, then a summary; a progress
counter goes to standard error when it is a terminal. It can run while the
server is up: what a concurrent upload or removal explains is not reported.`,
	setup: noFlags(func(ctx context.Context, e *env, _ []string) error {
		d, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		p := newProgress(e.stderr, -1)
		rep, err := ops.VerifyDataDir(ctx, d, e.dataDir, e.finding(p), func(done, total int) {
			progressTo(p, done, total)
		})
		_ = p.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "checked %s, %s and %s on disk: %s, %s\n",
			plural(rep.Artifacts, "artifact file"), plural(rep.Builds, "build"), plural(rep.Files, "file"),
			plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
		return failOnErrors(rep)
	}),
}

var verifyInputIDCmd = &command{
	name: "verify-input-id", maxArgs: 0,
	summary: "warn about builds of the same inputs with different binaries",
	help: `For every input id (the hash of a build's opam switch, build environment and
system packages), compares the main binaries of its successful builds and
warns when they differ: the same inputs did not reproduce the same output.
Each warning lists every distinct main binary (SHA-256) with the builds
(<job>/<uuid>) that produced it. Warnings do not change the exit status.`,
	setup: noFlags(func(ctx context.Context, e *env, _ []string) error {
		d, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		rep, err := ops.VerifyInputIDs(ctx, d, e.finding(nil))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "checked %s with an input id: %s\n",
			plural(rep.Builds, "successful build"), plural(rep.Warnings, "warning"))
		return nil
	}),
}

var verifyCacheDirCmd = &command{
	name: "verify-cache-dir", maxArgs: 0,
	summary: "check the visualization cache",
	help: `Checks the visualization cache (default DATADIR/_cache): its subdirectories
must be named dependencies_<N> or treemap_<N>; the highest version of each
should hold .done (batch-viz.sh writes it when finished); and every
successful build's dependency graph (<opam-switch sha256>.html) and, if it
has a debug binary, its treemap (<debug binary sha256>.html) must exist and
not be empty in the highest version directory that has it. Files in the
directory of builder-web's own version must be whole pages of builder-web.

Errors (exit status 1): the cache directory or a visualization file is
missing, a file is empty, or one of builder-web's files is cut short.
Everything else is a warning (e.g. another tool's file in builder-web's
version directory, which is served as it is, sandboxed).

Flags:
      --cachedir DIR   the cache directory (env BUILDER_WEB_CACHEDIR,
                       default DATADIR/_cache)`,
	setup: func(fs *flag.FlagSet) runFunc {
		cacheDir := fs.String("cachedir", "", "")
		return func(ctx context.Context, e *env, _ []string) error {
			dir := *cacheDir
			if dir == "" {
				dir = os.Getenv("BUILDER_WEB_CACHEDIR")
			}
			if dir == "" {
				dir = filepath.Join(e.dataDir, store.CacheDir)
			}
			d, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			rep, err := ops.VerifyCacheDir(ctx, d, dir, e.finding(nil))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "checked %s of %s: %s, %s\n",
				plural(rep.Files, "visualization file"), plural(rep.Builds, "successful build"),
				plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
			return failOnErrors(rep)
		}
	},
}

// finding prints a verify finding on standard output, first clearing the
// progress line (when there is one) that shares the terminal.
func (e *env) finding(p *progressbar.ProgressBar) func(ops.Finding) {
	return func(f ops.Finding) {
		if p != nil {
			_ = p.Clear() // redrawn by the next step
		}
		fmt.Fprintln(e.stdout, f)
	}
}

func failOnErrors(rep ops.VerifyReport) error {
	if rep.Errors > 0 {
		return fmt.Errorf("%s found", plural(rep.Errors, "error"))
	}
	return nil
}
