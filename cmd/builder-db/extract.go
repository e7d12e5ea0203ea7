package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/builder-web/builder-web/app/export"
)

var extractBuildCmd = &command{
	name: "extract-build", args: "UUID", minArgs: 1, maxArgs: 1,
	summary: "write a stored build as a builder record",
	help: `Writes the build UUID as a builder "full" record, the format builder
uploads: job, script, console (read back from console.txt, so with millisecond
precision), times, result and every stored artifact. README.md and
*.build-hashes were never stored and are not included.

The file is written under a temporary name and renamed when complete.

Flags:
      --dest FILE      where to write the record (default "full"; "-" is stdout)`,
	setup: func(fs *flag.FlagSet) runFunc {
		dest := fs.String("dest", "full", "")
		return func(ctx context.Context, e *env, args []string) error {
			d, st, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			// Everything is looked up before the first byte is written,
			// so that a bad UUID leaves no file.
			rec, err := export.Build(ctx, d, st, args[0])
			if err != nil {
				return err
			}
			defer rec.Close()
			if *dest == "-" {
				w := bufio.NewWriterSize(e.stdout, 1<<20)
				if err := rec.Encode(w); err != nil {
					return fmt.Errorf("extract %s: %w", args[0], err)
				}
				return w.Flush()
			}
			n, err := writeFileAtomic(*dest, func(w *bufio.Writer) error { return rec.Encode(w) })
			if err != nil {
				return fmt.Errorf("extract %s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "wrote %s (%d bytes)\n", *dest, n)
			return nil
		}
	},
}

// writeFileAtomic writes through a temporary file in the same directory and
// renames it to name when write succeeded, so that name is either complete
// or untouched.
func writeFileAtomic(name string, write func(*bufio.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	fail := func(err error) (int64, error) {
		f.Close()
		os.Remove(tmp)
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(fmt.Errorf("write %s: %w", name, err))
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return fi.Size(), nil
}
