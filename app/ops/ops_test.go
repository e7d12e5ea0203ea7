package ops

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// Cancelling Generate half-way returns promptly with what was stored.
func TestGenerateCancel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	data, err := datadir.Open(context.Background(), dir, datadir.Options{Mode: datadir.Migrated})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	d, st := data.DB, data.Store
	u, err := GeneratorUploader(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	g := generate.New(generate.Options{Jobs: 3, Platforms: 2, Builds: 10, Seed: 3})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var rep GenerateReport
	go func() {
		defer close(done)
		rep, err = Generate(ctx, &ingest.Ingester{DB: d, Store: st}, u, g, 4, func(n, total int) {
			if n == 5 {
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Generate did not return after cancel")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate after cancel: %v, want context.Canceled", err)
	}
	// Batched commits may have stored none of the first five yet.
	if rep.Stored >= g.Count() {
		t.Errorf("stored %d of %d: the cancel took no effect", rep.Stored, g.Count())
	}
	if left := testenv.Staged(t, dir); len(left) != 0 {
		t.Errorf("staging not cleaned after the cancel: %d entries", len(left))
	}
}
