package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/ops"
)

var includeCmd = &command{
	name: "include", args: "FILE...", minArgs: 1, maxArgs: -1,
	summary: "store builder records from files, as if uploaded",
	help: `Stores each FILE, a builder "full" record, exactly as POST /upload would:
same checks, same files, same rows (upload hooks are not run). A directory
stands for the *.full files in it. A file that fails does not stop the
others; each failure is printed with its reason, then a summary line, and
the exit status is 1 if any file failed.

The builds are attributed to the account named by --user, or to the only
account if there is exactly one. A restricted account may only add builds of
jobs on its access list.

Flags:
      --user NAME      the account the builds are attributed to`,
	setup: func(fs *flag.FlagSet) runFunc {
		user := fs.String("user", "", "")
		return func(ctx context.Context, e *env, args []string) error {
			files, err := ops.ExpandFiles(args)
			if err != nil {
				return err
			}
			d, st, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			u, err := ops.Uploader(ctx, d, *user)
			if err != nil {
				return userError(*user, err)
			}
			in := &ingest.Ingester{DB: d, Store: st, Log: e.log}
			p := newProgress(e.stderr, len(files))
			rep, err := ops.Include(ctx, in, u, files, func(n, total int, file string) {
				p.Describe(filepath.Base(file))
				progressTo(p, n, total)
			})
			_ = p.Finish()
			for _, f := range rep.Failed {
				fmt.Fprintf(e.stderr, "%s: %s\n", f.File, f.Reason())
			}
			fmt.Fprintf(e.stdout, "included %d, failed %d\n", len(rep.Included), len(rep.Failed))
			if err != nil {
				return err
			}
			if len(rep.Failed) > 0 {
				return fmt.Errorf("%d of %d files could not be included", len(rep.Failed), len(files))
			}
			return nil
		}
	},
}
