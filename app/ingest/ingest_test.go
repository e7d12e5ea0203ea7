package ingest_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

func newIngester(tb testing.TB) (*ingest.Ingester, ingest.Uploader) {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "data")
	data, err := datadir.Open(context.Background(), dir, datadir.Options{Mode: datadir.Migrated, Database: pgtest.Database(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { data.Close() })
	d, st := data.DB, data.Store
	u, err := accounts.Create(context.Background(), d, "bench", "bench-password", false, false)
	if err != nil {
		tb.Fatal(err)
	}
	id := u.ID
	return &ingest.Ingester{DB: d, Store: st}, ingest.Uploader{ID: id, Name: "bench"}
}

// bigRecord streams a record with one artifact of size pseudo-random
// bytes through a pipe, never holding it in memory.
func bigRecord(size int64, uuid byte) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		h := &builder.Header{
			Job:    builder.Job{Name: "big", Script: "true", Platform: "p"},
			UUID:   [16]byte{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, uuid},
			Start:  time.UnixMilli(1700000000000).UTC(),
			Finish: time.UnixMilli(1700000001000).UTC(),
		}
		files := []builder.FileSource{{Path: "bin/big", Size: size, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(io.LimitReader(&counter{}, size)), nil
		}}}
		pw.CloseWithError(builder.EncodeTo(pw, h, files))
	}()
	return pr
}

// counter yields distinct, cheap bytes.
type counter struct{ n uint64 }

func (c *counter) Read(p []byte) (int, error) {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		c.n++
		binary.LittleEndian.PutUint64(p[i:], c.n*0x9e3779b97f4a7c15)
	}
	for ; i < len(p); i++ {
		p[i] = byte(i)
	}
	return len(p), nil
}

// A large upload is streamed: the Go heap allocates a tiny fraction of
// the artifact, and the stored file has every byte.
func TestIngestLargeArtifactMemory(t *testing.T) {
	in, u := newIngester(t)
	const size = 256 << 20
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := in.Ingest(context.Background(), bigRecord(size, 1), u)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("ingest of a %d MiB artifact allocated %d KiB, want < 8 MiB", size>>20, alloc>>10)
	}
	fi, err := os.Stat(in.Store.ArtifactPath(b.MainBinary.SHA256))
	if err != nil || fi.Size() != size {
		t.Fatalf("stored artifact: %v, size %d, want %d", err, fi.Size(), size)
	}
}

// BenchmarkIngest stores the success_hvt vector again and again under new
// UUIDs through the whole ingest path (decode, stage, hash, commit).
func BenchmarkIngest(b *testing.B) {
	raw, err := os.ReadFile(testenv.Vector(b, "success_hvt.full"))
	if err != nil {
		b.Fatal(err)
	}
	e, err := builder.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	in, u := newIngester(b)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(e.UUID[8:], uint64(i))
		rec, err := builder.Encode(e)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Ingest(context.Background(), bytes.NewReader(rec), u); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "builds/s")
}

// BenchmarkIngestLarge measures a 64 MiB artifact's upload throughput.
func BenchmarkIngestLarge(b *testing.B) {
	in, u := newIngester(b)
	const size = 64 << 20
	b.SetBytes(size)
	for i := 0; b.Loop(); i++ {
		if _, err := in.Ingest(context.Background(), bigRecord(size, byte(i)), u); err != nil {
			b.Fatal(err)
		}
	}
}

// Uploads that share an opam switch (another platform, an unchanged
// input) get their job tags from the switch-tag cache: they must be what
// parsing the switch gives, as a fresh ingester (empty cache) stores them.
func TestSwitchTagsCachedAgree(t *testing.T) {
	g := generate.New(generate.Options{Jobs: 3, Platforms: 2, Builds: 3, Seed: 5})
	cached, u := newIngester(t)
	for i := range g.Count() {
		rec, err := g.Encode(i)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cached.Ingest(t.Context(), bytes.NewReader(rec), u); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	for i := g.Count() - 6; i < g.Count(); i++ {
		fresh, fu := newIngester(t)
		rec, err := g.Encode(i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fresh.Ingest(t.Context(), bytes.NewReader(rec), fu)
		if err != nil {
			t.Fatal(err)
		}
		want := jobTags(t, fresh.DB, b.Job)
		got := jobTags(t, cached.DB, b.Job)
		if len(want) == 0 || !maps.Equal(got, want) {
			t.Errorf("job %s: tags %q after cached uploads, want %q", b.Job, got, want)
		}
	}
}

func jobTags(t *testing.T, d *db.DB, job string) map[string]string {
	t.Helper()
	j, err := d.JobByName(t.Context(), job)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := d.JobTags(t.Context(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tags
}
