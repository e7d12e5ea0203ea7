package ops

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/generate"
)

// BenchmarkGenerate stores generated builds through the upload path as
// `builder-db generate` does (no fsync, bulk-load pragmas, one worker per
// CPU), 4,000 builds per iteration into a fresh data directory, and
// reports builds/s (issue 17: ≥ 1,000 builds/s on 2 cores), the process's
// CPU time per build (user + system, which a busy shared machine inflates
// less than the rate) and the single writer's time and CPU time per build.
// Profile with
// go test ./app/ops -run '^$' -bench Generate -cpuprofile cpu.out.
func BenchmarkGenerate(b *testing.B) {
	stored := 0
	var elapsed, writer, writerCPU, cpu time.Duration
	for range b.N {
		b.StopTimer()
		_, d, st, in, u := testDir(b)
		st.NoSync = true
		if err := d.BulkLoad(b.Context()); err != nil {
			b.Fatal(err)
		}
		g := generate.New(generate.Options{Jobs: 10, Platforms: 4, Builds: 100, Seed: 1})
		b.StartTimer()
		cpu0 := cpuTime(b)
		rep, err := Generate(b.Context(), in, u, g, runtime.GOMAXPROCS(0), nil)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(b) - cpu0
		stored += rep.Stored
		elapsed += rep.Elapsed
		writer += rep.Writer
		writerCPU += rep.WriterCPU
	}
	b.ReportMetric(float64(stored)/elapsed.Seconds(), "builds/s")
	b.ReportMetric(cpu.Seconds()*1000/float64(stored), "cpu-ms/build")
	b.ReportMetric(writer.Seconds()*1000/float64(stored), "writer-ms/build")
	b.ReportMetric(writerCPU.Seconds()*1000/float64(stored), "writer-cpu-ms/build")
}

// cpuTime is the CPU time (user + system) the process used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
