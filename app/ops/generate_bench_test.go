package ops

import (
	"runtime"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/generate"
)

// BenchmarkGenerate stores generated builds through the upload path as
// `builder-db generate` does (no fsync, bulk-load pragmas, one worker per
// CPU), 4,000 builds per iteration into a fresh data directory, and
// reports builds/s (issue 17: ≥ 1,000 builds/s on 2 cores). Profile with
// go test ./app/ops -run '^$' -bench Generate -cpuprofile cpu.out.
func BenchmarkGenerate(b *testing.B) {
	stored := 0
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		_, d, st, in, u := testDir(b)
		st.NoSync = true
		if err := d.BulkLoad(b.Context()); err != nil {
			b.Fatal(err)
		}
		g := generate.New(generate.Options{Jobs: 10, Platforms: 4, Builds: 100, Seed: 1})
		b.StartTimer()
		rep, err := Generate(b.Context(), in, u, g, runtime.GOMAXPROCS(0), nil)
		if err != nil {
			b.Fatal(err)
		}
		stored += rep.Stored
		elapsed += rep.Elapsed
	}
	b.ReportMetric(float64(stored)/elapsed.Seconds(), "builds/s")
}
