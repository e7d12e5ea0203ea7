package generate

import (
	"testing"
	"time"
)

// BenchmarkRecord measures record generation for the benchmark data set's
// shape (100 jobs × 4 platforms × 500 builds), walking the indices in
// upload order with a stride so caches see a realistic mix.
func BenchmarkRecord(b *testing.B) {
	g := New(Options{Jobs: 100, Platforms: 4, Builds: 500, Seed: 1, End: time.Now()})
	n := g.Count()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = g.Record(i * 7919 % n)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkEncode adds the DER encoding, which is what an ingest consumes.
func BenchmarkEncode(b *testing.B) {
	g := New(Options{Jobs: 100, Platforms: 4, Builds: 500, Seed: 1, End: time.Now()})
	n := g.Count()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := g.Encode(i * 7919 % n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNew is the setup cost paid once per generator.
func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		New(Options{Jobs: 100, Platforms: 4, Builds: 500, Seed: int64(i), End: time.Now()})
	}
}
