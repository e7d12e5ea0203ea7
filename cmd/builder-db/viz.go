package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/builder-web/builder-web/app/viz"
)

var vizCmd = &command{
	name: "viz", maxArgs: 0,
	summary: "draw the visualizations of every build",
	help: `Draws the dependency graph (from the opam-switch) and the size treemap (from
the debug binary, or the main binary when it has symbols) of every
successful build into _cache/dependencies_<V>/ and _cache/treemap_<V>/ of
this version, each input once, and marks both directories done. Inputs that
cannot be drawn (no single root, no symbols) are counted and skipped. It can
run while the server is up; the server draws new uploads itself.

Flags:
  --jobs N   draw N at a time (default 2)
  --force    redraw files already cached`,
	setup: func(fs *flag.FlagSet) runFunc {
		jobs := fs.Int("jobs", 2, "draw N at a time")
		force := fs.Bool("force", false, "redraw files already cached")
		return func(ctx context.Context, e *env, _ []string) error {
			if *jobs < 1 || *jobs > 64 {
				return &usageError{cmd: "viz", msg: "--jobs must be between 1 and 64"}
			}
			d, st, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			p := newProgress(e.stderr, -1)
			p.Describe("builds")
			rep, err := viz.Regenerate(ctx, d, viz.NewCache(st, *jobs), *jobs, *force, func(n int) {
				_ = p.Set(n)
			})
			_ = p.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d drawn, %d already cached, %d cannot be drawn, %d failed\n",
				plural(rep.Builds, "build"), rep.Drawn, rep.Skipped, rep.Unusable, rep.Failed)
			if rep.Failed > 0 {
				return fmt.Errorf("%d visualizations failed (see the log)", rep.Failed)
			}
			return nil
		}
	},
}
