package ops

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/ingest"
)

// IncludeFailure is a file Include could not store.
type IncludeFailure struct {
	File string
	Err  error
}

// Reason is the failure as an operator reads it: the message the upload
// endpoint would answer (without its HTTP wording), or the error itself.
func (f IncludeFailure) Reason() string {
	var he *httperr.Error
	if errors.As(f.Err, &he) {
		return strings.TrimPrefix(he.Safe, "Bad request: ")
	}
	return f.Err.Error()
}

// IncludeReport is what Include did.
type IncludeReport struct {
	Included []*ingest.Build
	Failed   []IncludeFailure
}

// Include stores each file as if it had been uploaded by u to POST /upload:
// the same decoding, access check, staging and commit. A failing file does
// not stop the others. progress, when not nil, is called before each file
// with its 1-based position. Only a cancelled ctx ends Include early; the
// report then covers the files done so far.
func Include(ctx context.Context, in *ingest.Ingester, u ingest.Uploader, files []string,
	progress func(n, total int, file string)) (IncludeReport, error) {
	var rep IncludeReport
	for i, name := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if progress != nil {
			progress(i+1, len(files), name)
		}
		b, err := includeFile(ctx, in, u, name)
		if err != nil {
			rep.Failed = append(rep.Failed, IncludeFailure{File: name, Err: err})
			continue
		}
		rep.Included = append(rep.Included, b)
	}
	return rep, nil
}

func includeFile(ctx context.Context, in *ingest.Ingester, u ingest.Uploader, name string) (*ingest.Build, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return in.Ingest(ctx, bufio.NewReaderSize(f, 1<<20), u)
}

// ExpandFiles replaces each directory among args by the *.full files in it
// (not recursively, in name order); other arguments are kept as given.
func ExpandFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			out = append(out, a) // a missing file is reported by Include
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, fmt.Errorf("read directory: %w", err)
		}
		var names []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".full") {
				names = append(names, filepath.Join(a, e.Name()))
			}
		}
		out = append(out, names...)
	}
	return out, nil
}
