package mirror_test

import (
	"bytes"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/mirror"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// BenchmarkPull pulls a generated farm of 400 builds (5 jobs × 2
// platforms × 40, realistic records) from a real server over loopback into
// a fresh data directory as builder-db pull does ("all"), then again with nothing new
// ("nothing-new": the cost of a --pull run on an idle source). Reports
// builds/s and MB/s, or ms per idle run. Run with
// go test ./app/mirror -run '^$' -bench Pull -benchtime 3x.
func BenchmarkPull(b *testing.B) {
	src := apptest.New(b)
	g := generate.New(generate.Options{Jobs: 5, Platforms: 2, Builds: 40, Seed: 1})
	u, err := ops.GeneratorUploader(b.Context(), src.App.DB)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ops.Generate(b.Context(), src.App.Ingest, u, g, runtime.GOMAXPROCS(0), nil); err != nil {
		b.Fatal(err)
	}
	url := src.Serve(b)

	b.Run("all", func(b *testing.B) {
		var builds int
		var bytes int64
		var elapsed time.Duration
		for range b.N {
			b.StopTimer()
			dst := apptest.New(b)
			// The ingester of builder-db pull: no hooks, no drawings.
			in := &ingest.Ingester{DB: dst.App.DB, Store: dst.App.Store}
			p := &mirror.Puller{DB: dst.App.DB, Ingest: in}
			b.StartTimer()
			start := time.Now()
			rep, err := p.Pull(b.Context(), url, mirror.Options{})
			elapsed += time.Since(start)
			if err != nil || rep.New != g.Count() {
				b.Fatalf("pull: %v %v, want %d new", rep, err, g.Count())
			}
			builds += rep.New
			bytes += rep.Bytes
			b.StopTimer()
			dst.App.Close()
		}
		b.ReportMetric(float64(builds)/elapsed.Seconds(), "builds/s")
		b.ReportMetric(float64(bytes)/1e6/elapsed.Seconds(), "MB/s")
	})

	// The same records stored from memory through the same ingester: what
	// the upload path alone costs, for the ratio to "all".
	b.Run("ingest-only", func(b *testing.B) {
		var recs [][]byte
		for _, id := range uuids(b, src) {
			r := src.Get(b, "/job/x/build/"+id+"/exec")
			if r.Status != http.StatusOK {
				b.Fatalf("exec %s: %d", id, r.Status)
			}
			recs = append(recs, r.Body)
		}
		var elapsed time.Duration
		for range b.N {
			b.StopTimer()
			dst := apptest.New(b)
			in := &ingest.Ingester{DB: dst.App.DB, Store: dst.App.Store}
			u, err := ops.SystemUploader(b.Context(), dst.App.DB, "pull:bench")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			for _, rec := range recs {
				if _, err := in.Ingest(b.Context(), bytes.NewReader(rec), u); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
			b.StopTimer()
			dst.App.Close()
		}
		b.ReportMetric(float64(len(recs)*b.N)/elapsed.Seconds(), "builds/s")
	})

	b.Run("nothing-new", func(b *testing.B) {
		dst := apptest.New(b)
		p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
		if _, err := p.Pull(b.Context(), url, mirror.Options{}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			rep, err := p.Pull(b.Context(), url, mirror.Options{})
			if err != nil || rep.Skipped != g.Count() || rep.Bytes != 0 {
				b.Fatalf("pull: %v %v, want %d skipped and nothing transferred", rep, err, g.Count())
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
	})
}

// uuids lists every build of a server's data directory.
func uuids(b *testing.B, env *apptest.Env) []string {
	b.Helper()
	var out []string
	rows, err := dbtest.Reader(b, env.App.DB).QueryContext(b.Context(), "SELECT uuid FROM build ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}
