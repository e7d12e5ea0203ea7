package viz

import (
	"os"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/viztest"
)

// Issue 13: a 300-package graph in ≤ 1 s.
func BenchmarkDependencies300(b *testing.B) {
	data := viztest.Switch(300)
	if _, err := DependenciesPage(data); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := DependenciesPage(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 13: the treemap of a 10 MB binary with 20,000 symbols in ≤ 1 s.
func BenchmarkTreemap20000(b *testing.B) {
	bin := viztest.BigELF(b)
	f, err := os.Open(bin)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	b.ResetTimer()
	for range b.N {
		s, err := BinarySizes(f, fi.Size())
		if err != nil {
			b.Fatal(err)
		}
		_ = TreemapHTML(s, "big")
	}
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

// A 300-package switch draws as a graph with every package and edge.
func TestDependencies300(t *testing.T) {
	page, err := DependenciesPage(viztest.Switch(300))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `<g id="p-`); n != 300 {
		t.Errorf("%d nodes, want 300", n)
	}
}
