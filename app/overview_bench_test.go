package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/builder-web/builder-web/app"
)

// BenchmarkOverviewPages times the overview pages in-process (no network)
// on the data directory named by BUILDER_WEB_BENCH_DATADIR, for the targets
// of product.md §4 on `builder-db generate --jobs 100 --platforms 4
// --builds 500` (200,000 builds): front page ≤ 20 ms, job page ≤ 10 ms,
// hash lookup ≤ 2 ms. BUILDER_WEB_BENCH_JOB and BUILDER_WEB_BENCH_SHA256 name
// a job and an artifact hash of that directory.
func BenchmarkOverviewPages(b *testing.B) {
	dir := os.Getenv("BUILDER_WEB_BENCH_DATADIR")
	if dir == "" {
		b.Skip("set BUILDER_WEB_BENCH_DATADIR to a data directory made by builder-db generate")
	}
	job, sha := os.Getenv("BUILDER_WEB_BENCH_JOB"), os.Getenv("BUILDER_WEB_BENCH_SHA256")
	a, err := app.New(context.Background(), app.Config{DataDir: dir, NoMigrate: true, ExpiredJobs: app.DefaultExpiredJobs},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	for _, bc := range []struct {
		name, url string
		headers   []string
		status    int
	}{
		{"front", "/", nil, http.StatusOK},
		{"front-json", "/", []string{"Accept", "application/json"}, http.StatusOK},
		{"front-filter-fragment", "/?q=a&platform=debian-12", []string{"HX-Request", "true"}, http.StatusOK},
		{"all-builds", "/all-builds", nil, http.StatusOK},
		{"job", "/job/" + job, nil, http.StatusOK},
		{"job-failed", "/job/" + job + "/failed", nil, http.StatusOK},
		{"job-json-all", "/job/" + job, []string{"Accept", "application/json"}, http.StatusOK},
		{"failed-builds", "/failed-builds", nil, http.StatusOK},
		{"hash", "/hash?sha256=" + sha, nil, http.StatusFound},
		{"latest", "/job/" + job + "/build/latest", nil, http.StatusFound},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, bc.url, nil)
				for i := 0; i+1 < len(bc.headers); i += 2 {
					req.Header.Set(bc.headers[i], bc.headers[i+1])
				}
				resp, err := a.Fiber.Test(req, -1)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != bc.status {
					b.Fatalf("%s: status %d", bc.url, resp.StatusCode)
				}
			}
		})
	}
}
