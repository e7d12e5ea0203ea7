package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/builder-web/builder-web/app/generate"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/db"
)

// GeneratorUser is the account generated builds are attributed to unless
// another is named.
const GeneratorUser = "generate"

// GeneratorUploader returns the account GeneratorUser, creating it when
// missing: unrestricted, with no password (disabled), so that it cannot be
// used to log in or upload.
func GeneratorUploader(ctx context.Context, d *db.DB) (ingest.Uploader, error) {
	u, err := d.UserByName(ctx, GeneratorUser)
	if errors.Is(err, db.ErrUnknownUser) {
		at := time.Now().Unix()
		nu := db.User{Username: GeneratorUser, Restricted: false, DisabledAt: &at,
			ScryptN: db.DefaultScryptN, ScryptR: db.DefaultScryptR, ScryptP: db.DefaultScryptP}
		if _, err := d.AddUser(ctx, nu); err != nil && !errors.Is(err, db.ErrDuplicate) {
			return ingest.Uploader{}, err
		}
		u, err = d.UserByName(ctx, GeneratorUser)
	}
	if err != nil {
		return ingest.Uploader{}, err
	}
	return uploaderOf(u), nil
}

// GenerateReport is what Generate did.
type GenerateReport struct {
	Stored  int // builds ingested
	Skipped int // records whose UUID was stored already (an earlier run)
	Elapsed time.Duration
}

// Generate ingests the generator's records in index order (oldest first)
// through the upload path. workers goroutines encode records ahead of the
// single ingesting loop, which the write transaction serialises anyway.
// progress, when not nil, is called after each record. The first record
// that fails to encode or ingest ends Generate with an error; records whose
// UUID exists already are skipped, so that an interrupted run can be
// repeated.
func Generate(ctx context.Context, in *ingest.Ingester, u ingest.Uploader, g *generate.Generator,
	workers int, progress func(done, total int)) (GenerateReport, error) {
	start := time.Now()
	var rep GenerateReport
	total := g.Count()
	workers = max(1, workers)
	// On an early return, cancel stops the feeder first, then the workers
	// are waited for (deferred calls run in reverse).
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type encoded struct {
		rec []byte
		err error
	}
	type task struct {
		i   int
		out chan encoded
	}
	tasks := make(chan task)
	// futures holds the results in index order; its capacity bounds how
	// far the encoders run ahead of ingestion (and the memory they hold).
	futures := make(chan chan encoded, 4*workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				rec, err := g.Encode(t.i)
				t.out <- encoded{rec, err}
			}
		}()
	}
	go func() {
		defer close(futures)
		defer close(tasks)
		for i := range total {
			out := make(chan encoded, 1)
			select {
			case futures <- out:
			case <-ctx.Done():
				return
			}
			select {
			case tasks <- task{i, out}:
			case <-ctx.Done():
				return
			}
		}
	}()

	i := 0
	for out := range futures {
		var e encoded
		select {
		case e = <-out:
		case <-ctx.Done():
			rep.Elapsed = time.Since(start)
			return rep, ctx.Err()
		}
		if e.err != nil {
			rep.Elapsed = time.Since(start)
			return rep, fmt.Errorf("generate record %d: %w", i, e.err)
		}
		if _, err := in.Ingest(ctx, bytes.NewReader(e.rec), u); err != nil {
			var he *httperr.Error
			if !errors.As(err, &he) || he.Status != http.StatusConflict {
				rep.Elapsed = time.Since(start)
				return rep, fmt.Errorf("store generated record %d: %w", i, err)
			}
			rep.Skipped++
		} else {
			rep.Stored++
		}
		i++
		if progress != nil {
			progress(i, total)
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, ctx.Err()
}
