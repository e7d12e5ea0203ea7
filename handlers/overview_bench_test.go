package handlers_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/db/dbtest"
)

// BenchmarkOverviewPages times the pages in-process (no network) on the
// data directory named by BUILDER_WEB_BENCH_DATADIR, for the targets of
// product.md §4 on `builder-db generate --jobs 100 --platforms 4 --builds
// 500` (200,000 builds): front page ≤ 20 ms, job page ≤ 10 ms, build page
// ≤ 10 ms, hash lookup ≤ 2 ms, compare of two 300-package builds ≤ 30 ms.
// The job, build, hash and compare pair are picked from the database (the
// job with the most builds; BUILDER_WEB_BENCH_JOB and
// BUILDER_WEB_BENCH_SHA256 override the job and the hash). Every page is
// timed twice: miss/<page> with the page cache off (what a page costs after
// a change of the data; the targets are about these) and hit/<page> from
// the cache. With BUILDER_WEB_DATABASE set (as for builder-web), the pages
// read that PostgreSQL database and the data directory's files. Each case reports the median and 90th percentile of its
// requests (p50-ms, p90-ms), the CPU time per request (cpu-ms) and its
// target (target-ms; 0 where §4 sets none); bench/pages.sh prints them as a
// table.
func BenchmarkOverviewPages(b *testing.B) {
	dir := os.Getenv("BUILDER_WEB_BENCH_DATADIR")
	if dir == "" {
		b.Skip("set BUILDER_WEB_BENCH_DATADIR to a data directory made by builder-db generate")
	}
	// Misses first, with the page cache off: what a page costs after each
	// change of the data. Then hits, from the cache (the default size),
	// after one request that fills it.
	for _, mode := range []struct {
		name      string
		cacheSize int64
	}{{"miss", -1}, {"hit", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			a, err := server.New(context.Background(), server.Config{DataDir: dir, Database: os.Getenv(cli.EnvDatabase),
				NoMigrate: true, ExpiredJobs: server.DefaultExpiredJobs, PageCacheSize: mode.cacheSize},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			benchPageCases(b, a, dir, mode.name == "hit")
		})
	}
}

func benchPageCases(b *testing.B, a *server.App, dir string, warm bool) {
	p, err := pickPages(context.Background(), dbtest.Reader(b, a.DB), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("job %s (%d builds), build %s, hash %s, %d compare pairs, the first %s (%d and %d packages)",
		p.job, p.jobBuilds, p.build, p.sha, len(p.compare), p.compare[0], p.packages[0], p.packages[1])
	var compare []string
	for _, c := range p.compare {
		compare = append(compare, "/compare/"+c)
	}
	json := []string{"Accept", "application/json"}
	htmx := []string{"HX-Request", "true"}
	for _, bc := range []struct {
		name    string
		urls    []string // cycled through
		headers []string
		status  int
		target  float64 // ms, product.md §4; 0 = none
	}{
		{"front", []string{"/"}, nil, http.StatusOK, 20},
		{"front-json", []string{"/"}, json, http.StatusOK, 0},
		{"front-filter-fragment", []string{"/?q=a&platform=debian-12"}, htmx, http.StatusOK, 0},
		{"all-builds", []string{"/all-builds"}, nil, http.StatusOK, 0},
		{"job", []string{"/job/" + p.job}, nil, http.StatusOK, 10},
		{"job-deep-cursor", []string{"/job/" + p.job + "?cursor=" + p.cursor}, htmx, http.StatusOK, 0},
		{"job-failed", []string{"/job/" + p.job + "/failed"}, nil, http.StatusOK, 0},
		{"job-json-50", []string{"/job/" + p.job + "?limit=50"}, json, http.StatusOK, 0},
		{"build", []string{"/job/" + p.job + "/build/" + p.build}, nil, http.StatusOK, 10},
		{"build-json", []string{"/job/" + p.job + "/build/" + p.build}, json, http.StatusOK, 0},
		{"failed-builds", []string{"/failed-builds"}, nil, http.StatusOK, 0},
		{"hash", []string{"/hash?sha256=" + p.sha}, nil, http.StatusFound, 2},
		{"latest", []string{"/job/" + p.job + "/build/latest"}, nil, http.StatusFound, 0},
		{"compare", compare, nil, http.StatusOK, 30},
		{"compare-cached", compare[:1], nil, http.StatusOK, 0},
		// Issue 12: the busiest job's reproducibility view and the site's.
		{"job-reproducibility", []string{"/job/" + p.job + "/reproducibility"}, nil, http.StatusOK, 20},
		{"job-reproducibility-json", []string{"/job/" + p.job + "/reproducibility"}, json, http.StatusOK, 0},
		{"reproducibility", []string{"/reproducibility"}, nil, http.StatusOK, 50},
	} {
		b.Run(bc.name, func(b *testing.B) {
			get := func(url string) *http.Response {
				req := httptest.NewRequest(http.MethodGet, url, nil)
				for i := 0; i+1 < len(bc.headers); i += 2 {
					req.Header.Set(bc.headers[i], bc.headers[i+1])
				}
				resp, err := a.Fiber.Test(req, -1)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			if warm {
				for _, u := range bc.urls {
					get(u)
				}
			}
			var lat []time.Duration
			cpu0 := cpuTime()
			for b.Loop() {
				url := bc.urls[len(lat)%len(bc.urls)]
				t0 := time.Now()
				resp := get(url)
				lat = append(lat, time.Since(t0))
				if resp.StatusCode != bc.status {
					b.Fatalf("%s: status %d, want %d", url, resp.StatusCode, bc.status)
				}
			}
			cpu := cpuTime() - cpu0
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(cpu)/float64(len(lat)), "cpu-ms")
			b.ReportMetric(ms(lat[len(lat)*9/10]), "p90-ms")
			b.ReportMetric(bc.target, "target-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// cpuTime is the CPU time (user and system) the process has used. Per
// request it is what the wall time would be on an idle machine: the
// benchmark runs one request at a time, and on the shared 2-CPU machine the
// wall time mostly measures how long the other jobs kept it waiting. It
// includes the garbage collector's background work the requests cause.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchPages are the pages of one data directory worth timing.
type benchPages struct {
	job       string
	jobBuilds int
	cursor    string   // halfway down the job's list
	build     string   // the job's newest build with a main binary
	sha       string   // that main binary's hash
	compare   []string // "<older uuid>/<newer uuid>" pairs, see pickPages
	packages  [2]int   // installed packages of the first pair
}

// comparePairs is more pairs than the server's comparison cache holds (16),
// so that cycling through them times the comparison, not the cache.
const comparePairs = 20

// querier is dbtest.Reader's connection, which binds the ? parameters for
// either backend (a bare *sql.DB would pass them to PostgreSQL as they are).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pickPages reads the pages to time from the database, so that the
// benchmark needs nothing but the data directory.
func pickPages(ctx context.Context, d querier, dir string) (benchPages, error) {
	var p benchPages
	q := func(dest []any, query string, args ...any) error {
		if err := d.QueryRowContext(ctx, query, args...).Scan(dest...); err != nil {
			return fmt.Errorf("pick pages: %s: %w", query, err)
		}
		return nil
	}
	var jobID int64
	if err := q([]any{&jobID, &p.job, &p.jobBuilds}, `SELECT j.id, j.name, count(*) FROM build b JOIN job j ON j.id = b.job
		GROUP BY j.id ORDER BY count(*) DESC, j.name LIMIT 1`); err != nil {
		return p, err
	}
	if env := os.Getenv("BUILDER_WEB_BENCH_JOB"); env != "" {
		p.job = env
		if err := q([]any{&jobID, &p.jobBuilds}, `SELECT j.id, count(*) FROM build b JOIN job j ON j.id = b.job WHERE j.name = ?`, env); err != nil {
			return p, err
		}
	}
	var c db.Cursor
	if err := q([]any{&c.StartD, &c.StartPS, &c.ID}, `SELECT start_d, start_ps, id FROM build WHERE job = ?
		ORDER BY start_d DESC, start_ps DESC, id DESC LIMIT 1 OFFSET ?`, jobID, p.jobBuilds/2); err != nil {
		return p, err
	}
	p.cursor = c.String()
	var sha []byte
	if err := q([]any{&p.build, &sha}, `SELECT b.uuid, a.sha256 FROM build b JOIN build_artifact a ON a.id = b.main_binary
		WHERE b.job = ? ORDER BY b.id DESC LIMIT 1`, jobID); err != nil {
		return p, err
	}
	p.sha = hex.EncodeToString(sha)
	if env := os.Getenv("BUILDER_WEB_BENCH_SHA256"); env != "" {
		p.sha = env
	}
	// The job whose newest switch export has the most packages; on its
	// newest build's platform, the newest build and the newest before it
	// with another switch are what a user compares (identical switches
	// would compare suspiciously fast).
	bigJob, bigPlatform, err := biggestSwitch(ctx, d, dir)
	if err != nil {
		return p, err
	}
	rows, err := d.QueryContext(ctx, `SELECT b.uuid, a.sha256 FROM build b JOIN build_artifact a ON a.build = b.id
		WHERE b.job = ? AND b.platform = ? AND a.filepath = 'opam-switch'
		ORDER BY b.start_d DESC, b.start_ps DESC LIMIT 500`, bigJob, bigPlatform)
	if err != nil {
		return p, fmt.Errorf("pick compare pairs: %w", err)
	}
	defer rows.Close()
	// Walking back in time, each build whose switch differs from the
	// newer one's starts a pair (older on the left, as the compare form
	// offers it).
	var newer string
	var newerSw []byte
	for rows.Next() && len(p.compare) < comparePairs {
		var uuid string
		var sw []byte
		if err := rows.Scan(&uuid, &sw); err != nil {
			return p, fmt.Errorf("pick compare pairs: %w", err)
		}
		if newer != "" && string(sw) != string(newerSw) {
			if len(p.compare) == 0 {
				if p.packages, err = pairPackages(dir, sw, newerSw); err != nil {
					return p, err
				}
			}
			p.compare = append(p.compare, uuid+"/"+newer)
		}
		newer, newerSw = uuid, sw
	}
	if err := rows.Err(); err != nil || len(p.compare) == 0 {
		return p, fmt.Errorf("pick compare pairs: %d found (%v)", len(p.compare), err)
	}
	return p, nil
}

// biggestSwitch returns the job (and its newest build's platform) whose
// newest opam switch export installs the most packages.
func biggestSwitch(ctx context.Context, d querier, dir string) (job int64, platform string, err error) {
	rows, err := d.QueryContext(ctx, `SELECT b.job, b.platform, a.sha256 FROM build b JOIN build_artifact a ON a.build = b.id
		WHERE a.filepath = 'opam-switch' AND b.id IN (SELECT max(id) FROM build GROUP BY job)`)
	if err != nil {
		return 0, "", fmt.Errorf("pick compare job: %w", err)
	}
	defer rows.Close()
	most := -1
	for rows.Next() {
		var j int64
		var pl string
		var sw []byte
		if err := rows.Scan(&j, &pl, &sw); err != nil {
			return 0, "", fmt.Errorf("pick compare job: %w", err)
		}
		n, err := switchPackages(filepath.Join(dir, store.ArtifactRel(sw)))
		if err != nil {
			return 0, "", err
		}
		if n > most {
			job, platform, most = j, pl, n
		}
	}
	if err := rows.Err(); err != nil || most < 0 {
		return 0, "", fmt.Errorf("pick compare job: no opam switch found (%v)", err)
	}
	return job, platform, nil
}

func pairPackages(dir string, left, right []byte) ([2]int, error) {
	var n [2]int
	for i, sw := range [][]byte{left, right} {
		var err error
		if n[i], err = switchPackages(filepath.Join(dir, store.ArtifactRel(sw))); err != nil {
			return n, err
		}
	}
	return n, nil
}

func switchPackages(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read opam switch: %w", err)
	}
	sw, err := opam.ParseSwitch(data)
	if err != nil {
		return 0, fmt.Errorf("parse opam switch %s: %w", path, err)
	}
	return len(sw.Installed), nil
}
