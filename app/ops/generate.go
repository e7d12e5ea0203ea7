package ops

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/generate"
)

// GeneratorUser is the account generated builds are attributed to unless
// another is named.
const GeneratorUser = "generate"

// GeneratorUploader returns the account GeneratorUser, creating it when
// missing (see SystemUploader).
func GeneratorUploader(ctx context.Context, d *db.DB) (ingest.Uploader, error) {
	return SystemUploader(ctx, d, GeneratorUser)
}

// SystemUploader returns the account name, creating it when missing:
// unrestricted, with no password (disabled), so that it cannot be used to
// log in or upload. Builds that no person uploaded are attributed to such
// accounts (generated builds, mirrored builds as "pull:<host>").
func SystemUploader(ctx context.Context, d *db.DB, name string) (ingest.Uploader, error) {
	u, err := d.UserByName(ctx, name)
	if errors.Is(err, db.ErrUnknownUser) {
		at := time.Now().Unix()
		nu := db.User{Username: name, Restricted: false, DisabledAt: &at,
			ScryptN: db.DefaultScryptN, ScryptR: db.DefaultScryptR, ScryptP: db.DefaultScryptP}
		if _, err := d.AddUser(ctx, nu); err != nil && !errors.Is(err, db.ErrDuplicate) {
			return ingest.Uploader{}, err
		}
		u, err = d.UserByName(ctx, name)
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
	// Writer is the time spent committing (rows and the files' last
	// check), the one part that does not run in parallel: it bounds the
	// rate however many workers prepare.
	Writer time.Duration
	// WriterCPU is the CPU time of those commits (0 where the system
	// cannot measure a thread's): Writer less the waiting for a CPU.
	WriterCPU time.Duration
}

// generateBatch is how many builds one write transaction commits.
const generateBatch = 64

// existsChunk is how many records' UUIDs one query checks.
const existsChunk = 500

// storedOf returns which of the records [from, to) are stored already.
func storedOf(ctx context.Context, d *db.DB, g *generate.Generator, from, to int) (map[string]bool, error) {
	uuids := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		uuids = append(uuids, builder.UUIDString(g.UUID(i)))
	}
	return d.ExistingBuilds(ctx, uuids)
}

// Generate ingests the generator's records in index order (oldest first)
// through the upload path: workers goroutines encode, decode, hash and stage
// records ahead of the committing loop, which stores them in batches of
// generateBatch per write transaction. progress, when not nil, is called
// after each record. The first record that fails to encode or ingest ends
// Generate with an error; records whose UUID exists already are skipped, so
// that an interrupted run can be repeated.
func Generate(ctx context.Context, in *ingest.Ingester, u ingest.Uploader, g *generate.Generator,
	workers int, progress func(done, total int)) (GenerateReport, error) {
	start := time.Now()
	var rep GenerateReport
	total := g.Count()
	// The commits run on this goroutine; pinned to one thread, their CPU
	// time can be read from the thread's clock (SQLite runs on the
	// calling thread).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	workers = max(1, workers)
	// On an early return, cancel stops the feeder first, then the workers
	// are waited for (deferred calls run in reverse).
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type prepared struct {
		p       *ingest.Pending
		skipped bool
		err     error
	}
	type task struct {
		i   int
		out chan prepared
	}
	tasks := make(chan task)
	// futures holds the results in index order; its capacity bounds how
	// far the workers run ahead of the commits (and the staging they hold).
	futures := make(chan chan prepared, generateBatch+2*workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				p, err := in.PrepareExec(ctx, g.Record(t.i), u)
				if err != nil {
					t.out <- prepared{err: fmt.Errorf("store generated record %d: %w", t.i, err)}
					continue
				}
				t.out <- prepared{p: p}
			}
		}()
	}
	go func() {
		defer close(futures)
		defer close(tasks)
		var stored map[string]bool
		for i := range total {
			out := make(chan prepared, 1)
			select {
			case futures <- out:
			case <-ctx.Done():
				return
			}
			// Records stored by an earlier run are skipped; they are
			// looked up a chunk at a time (PrepareExec leaves it to us).
			if i%existsChunk == 0 {
				var err error
				if stored, err = storedOf(ctx, in.DB, g, i, min(i+existsChunk, total)); err != nil {
					out <- prepared{err: err}
					return
				}
			}
			if stored[builder.UUIDString(g.UUID(i))] {
				out <- prepared{skipped: true}
				continue
			}
			select {
			case tasks <- task{i, out}:
			case <-ctx.Done():
				out <- prepared{err: ctx.Err()} // its future is queued already
				return
			}
		}
	}()
	// Anything prepared but not committed is removed when Generate ends
	// early; the workers' own unfinished results are drained too.
	var batch []*ingest.Pending
	defer func() {
		for _, p := range batch {
			p.Abort()
		}
		cancel()
		for out := range futures {
			if r := <-out; r.p != nil {
				r.p.Abort()
			}
		}
	}()
	done := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		t0, c0 := time.Now(), threadCPU()
		_, err := in.Commit(ctx, batch...)
		rep.Writer += time.Since(t0)
		rep.WriterCPU += threadCPU() - c0
		n := len(batch)
		batch = nil
		if err != nil {
			return fmt.Errorf("store generated records: %w", err)
		}
		rep.Stored += n
		return nil
	}
	for out := range futures {
		// Every future gets a result (from a worker, or from the feeder
		// when cancelled), so this never waits forever.
		r := <-out
		if r.p != nil && ctx.Err() != nil {
			r.p.Abort()
			rep.Elapsed = time.Since(start)
			return rep, ctx.Err()
		}
		switch {
		case r.err != nil:
			rep.Elapsed = time.Since(start)
			return rep, r.err
		case r.skipped:
			rep.Skipped++
		default:
			batch = append(batch, r.p)
		}
		done++
		if len(batch) >= generateBatch || len(futures) == 0 {
			if err := flush(); err != nil {
				rep.Elapsed = time.Since(start)
				return rep, err
			}
		}
		if progress != nil {
			progress(done, total)
		}
	}
	err := flush()
	rep.Elapsed = time.Since(start)
	if err != nil {
		return rep, err
	}
	return rep, ctx.Err()
}
