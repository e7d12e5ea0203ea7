package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// TestConcurrentWrites runs 8 writers and 8 readers at once, plus a writer
// through a second handle on the same file (as builder-db next to the server
// would be): none may fail, in particular not with "database is locked".
func TestConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	d := openPath(t, path, true)
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := addFixtureUser(t, d)
	other := openPath(t, path, false)

	const writers, perWriter = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 4*writers*perWriter)
	uuid := func(w, i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%04d%08d", w, i) }
	write := func(db *DB, w int) {
		defer wg.Done()
		for i := range perWriter {
			b := fixtureBuild(u.ID, 1)
			b.Job = fmt.Sprintf("job-%d", w%3)
			b.UUID = uuid(w, i)
			b.Artifacts[0].SHA256 = sum([]byte(b.UUID))
			b.Tags = map[string]string{TagSynopsis: b.UUID}
			errs <- db.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
				_, err := db.InsertBuild(ctx, tx, b)
				return err
			})
		}
	}
	for w := range writers {
		wg.Add(2)
		go write(d, w)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				_, err := d.BuildByUUID(ctx, uuid(w, i))
				if err != nil && !strings.Contains(err.Error(), ErrNotFound.Error()) {
					errs <- err
				}
				_, err = d.ArtifactExists(ctx, sum([]byte(uuid(w, i))))
				errs <- err
			}
		}()
	}
	wg.Add(1)
	go write(other, writers)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	var n int
	if err := d.read.NewRaw("SELECT count(*) FROM build").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if want := (writers + 1) * perWriter; n != want {
		t.Errorf("%d builds stored, want %d", n, want)
	}
}

// TestWriteTxRollsBack checks that an error from fn undoes everything fn did.
func TestWriteTxRollsBack(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	boom := fmt.Errorf("boom")
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&Job{Name: "x"}).Exec(ctx); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("WriteTx = %v, want fn's error", err)
	}
	if _, err := d.JobByName(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("job of a rolled-back transaction: %v, want not found", err)
	}
}

// TestWriteTxExclusiveAcrossHandles: write transactions of two handles on
// one database (two nodes, or builder-db next to the server) never run at
// once, on either backend: the second's body starts only after the first
// committed, and a second handle with a short busy timeout gives up with
// the busy error that uploads answer with 503, not 500. Without it a
// vacuum on one node could delete an artifact file another node has just
// moved into place for a build it is about to commit.
func TestWriteTxExclusiveAcrossHandles(t *testing.T) {
	ctx := t.Context()
	first := newDB(t)
	second, err := OpenLocation(ctx, first.Location(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	impatient, err := OpenLocation(ctx, first.Location(), Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()

	// released is set just before the first writer may commit: setting a
	// flag after its WriteTx returns would race with the second writer,
	// which may run as soon as the commit released the lock.
	var released atomic.Bool
	holding := make(chan struct{})
	release := make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- first.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding

	start := time.Now()
	err = impatient.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		t.Error("the impatient writer's body ran while another handle held the write transaction")
		return nil
	})
	if !IsBusy(err) {
		t.Errorf("impatient writer: %v, want the busy error (IsBusy)", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("impatient writer gave up after %v, want about its busy timeout (200ms)", d)
	}

	secondDone := make(chan error, 1)
	var ranEarly atomic.Bool
	go func() {
		secondDone <- second.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
			ranEarly.Store(!released.Load())
			return nil
		})
	}()
	time.Sleep(300 * time.Millisecond) // the second writer is waiting now
	select {
	case err := <-secondDone:
		t.Fatalf("second writer finished (%v) while the first still held the write transaction", err)
	default:
	}
	released.Store(true)
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("first writer: %v", err)
	}
	if err := <-secondDone; err != nil {
		t.Fatalf("second writer: %v", err)
	}
	if ranEarly.Load() {
		t.Error("the second writer's body started while the first held the write transaction")
	}
}
