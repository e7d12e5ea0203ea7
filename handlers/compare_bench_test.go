package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/comparetest"
)

// BenchmarkComparePage300 is product §4's "compare of two 300-package switch
// exports ≤ 30 ms" end to end through the app: both builds looked up,
// their six files read, compared, and the page (or JSON) written. "cold"
// cycles through more build pairs than the comparison cache holds, so every
// request computes; "warm" repeats one comparison, as opening its opam-file
// diffs or switching its view does.
func BenchmarkComparePage300(b *testing.B) {
	env := apptest.New(b)
	env.AddUser(b, "up", "secret-pw", false)
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const n = 20 // > the cache's 16 entries
	uuids := make([]string, n)
	for i := range n {
		uuids[i] = fmt.Sprintf("55555555-5555-4555-8555-%012d", i)
		rec := comparetest.Record(b, comparetest.Build{UUID: uuids[i], Job: "big", Start: start.Add(time.Duration(i) * time.Hour),
			Files: map[string][]byte{
				"bin/big.hvt":       []byte(uuids[i]),
				"opam-switch":       comparetest.Switch(300, i),
				"build-environment": comparetest.Environment(i),
				"system-packages":   comparetest.SystemPackages(300, i),
			}})
		if r := env.Upload(b, "/upload", "up", "secret-pw", rec); r.Status != http.StatusCreated {
			b.Fatalf("upload: status %d (%s)", r.Status, r.Body)
		}
	}
	pair := func(i int) string { return "/compare/" + uuids[i%(n-1)] + "/" + uuids[i%(n-1)+1] }
	for _, bc := range []struct {
		name    string
		url     func(i int) string
		headers []string
	}{
		{"cold/html", pair, nil},
		{"cold/json", pair, []string{"Accept", "application/json"}},
		{"warm/html", func(int) string { return pair(0) }, nil},
		{"warm/html-all", func(int) string { return pair(0) + "?all=1" }, nil},
		{"warm/htmx", func(int) string { return pair(0) }, []string{"HX-Request", "true"}},
		{"warm/json", func(int) string { return pair(0) }, []string{"Accept", "application/json"}},
		{"warm/opam-file", func(int) string { return pair(0) + "/opam/pkg-007" }, []string{"HX-Request", "true"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if r := env.Get(b, bc.url(0), bc.headers...); r.Status != http.StatusOK {
				b.Fatalf("GET %s: status %d (%s)", bc.url(0), r.Status, r.Body)
			}
			b.ReportAllocs()
			i := 0
			cpu := comparetest.CPUTime()
			for b.Loop() {
				i++
				if r := env.Get(b, bc.url(i), bc.headers...); r.Status != http.StatusOK {
					b.Fatalf("GET %s: status %d", bc.url(i), r.Status)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
			b.ReportMetric(float64(comparetest.CPUTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
