package metrics

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/builder-web/builder-web/db"
)

// Source is where the database totals come from (*db.DB).
type Source interface {
	Counts(ctx context.Context) (db.Counts, error)
	StoredContent(ctx context.Context) (db.Stored, error)
}

// How long database totals are reused. The counts are cheap but a scrape
// should not cost a query per series; the stored total reads every
// artifact row in hash order (seconds on a large data directory), so it is
// refreshed in the background and at most this often.
const (
	countsTTL = 10 * time.Second
	storedTTL = 5 * time.Minute
)

var (
	requestBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	uploadBuckets  = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600}
	hookBuckets    = []float64{.1, .5, 1, 5, 10, 30, 60, 120, 300, 600}
)

// Metrics is the instrumentation of one App.
type Metrics struct {
	requests      *family
	requestsTotal *family
	uploads       *family
	uploadBytes   *family
	uploadSeconds *family
	hookRuns      *family
	hookFailures  *family
	hookSeconds   *family
	hooksDropped  *family
	hooksRunning  *family
	hooksQueued   *family
	pageCache     *family
	pulled        *family

	families []*family
	start    time.Time
	totals   *totals
}

// New returns empty metrics; src (may be nil) supplies database totals.
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{
		requests: newFamily("builder_web_http_request_duration_seconds",
			"Time spent handling HTTP requests, by route pattern (streamed responses: until the handler returned).",
			"histogram", requestBuckets, "method", "route"),
		requestsTotal: newFamily("builder_web_http_requests_total",
			"HTTP requests answered, by route pattern and status code.", "counter", nil, "method", "route", "code"),
		uploads: newFamily("builder_web_uploads_total",
			"Uploads (POST /upload and bare binaries), by response status.", "counter", nil, "status"),
		uploadBytes: newFamily("builder_web_upload_bytes_total",
			"Bytes of upload bodies as declared by Content-Length.", "counter", nil),
		uploadSeconds: newFamily("builder_web_upload_duration_seconds",
			"Time from the start of an upload request to its response, body transfer included.",
			"histogram", uploadBuckets),
		hookRuns: newFamily("builder_web_hook_runs_total",
			"Upload hook runs that finished, by hook file name.", "counter", nil, "hook"),
		hookFailures: newFamily("builder_web_hook_failures_total",
			"Upload hook runs that failed, by hook and reason (exit, timeout, killed, start).",
			"counter", nil, "hook", "reason"),
		hookSeconds: newFamily("builder_web_hook_duration_seconds",
			"Run time of upload hooks.", "histogram", hookBuckets, "hook"),
		hooksDropped: newFamily("builder_web_hook_builds_dropped_total",
			"Builds whose hooks were not run because the queue was full or the server was stopping.", "counter", nil),
		hooksRunning: newFamily("builder_web_hooks_running",
			"Upload hook processes running now.", "gauge", nil),
		hooksQueued: newFamily("builder_web_hook_builds_queued",
			"Builds waiting for their upload hooks to run.", "gauge", nil),
		pageCache: newFamily("builder_web_page_cache_requests_total",
			"Visitors' requests of cached pages, by result: hit, miss or not_modified (304 on the ETag).",
			"counter", nil, "result"),
		pulled: newFamily("builder_web_pull_builds_total",
			"Builds of other servers looked at by --pull, by source host and outcome: new, skipped or refused.",
			"counter", nil, "source", "outcome"),
		start: time.Now(),
	}
	m.families = []*family{m.requests, m.requestsTotal, m.uploads, m.uploadBytes, m.uploadSeconds,
		m.hookRuns, m.hookFailures, m.hookSeconds, m.hooksDropped, m.hooksRunning, m.hooksQueued, m.pageCache, m.pulled}
	// Series that exist from the start, so that rate() and alerts see a 0.
	m.uploadBytes.add(0)
	m.hooksDropped.add(0)
	m.hooksRunning.add(0)
	m.hooksQueued.add(0)
	if src != nil {
		m.totals = newTotals(src, log)
	}
	return m
}

// Close stops a running background refresh and waits for it.
func (m *Metrics) Close() {
	if m != nil && m.totals != nil {
		m.totals.close()
	}
}

// ObserveRequest records one answered request. route is the matched route
// pattern (never the raw path: the label set must stay bounded).
func (m *Metrics) ObserveRequest(method, route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.observe(d.Seconds(), method, route)
	m.requestsTotal.add(1, method, route, strconv.Itoa(code))
}

// ObserveUpload records one upload request; size is its declared body
// length (-1 when unknown).
func (m *Metrics) ObserveUpload(code int, size int64, d time.Duration) {
	if m == nil {
		return
	}
	m.uploads.add(1, strconv.Itoa(code))
	if size > 0 {
		m.uploadBytes.add(float64(size))
	}
	m.uploadSeconds.observe(d.Seconds())
}

// HookQueued counts builds waiting for their hooks (delta +1 or -1).
func (m *Metrics) HookQueued(delta int) {
	if m != nil {
		m.hooksQueued.add(float64(delta))
	}
}

// HookDropped counts a build whose hooks were not run.
func (m *Metrics) HookDropped() {
	if m != nil {
		m.hooksDropped.add(1)
	}
}

// HookStarted counts a running hook process; call HookFinished after.
func (m *Metrics) HookStarted() {
	if m != nil {
		m.hooksRunning.add(1)
	}
}

// HookFinished records a finished hook run; failure is "" on success,
// else the reason.
func (m *Metrics) HookFinished(hook string, d time.Duration, failure string) {
	if m == nil {
		return
	}
	m.hooksRunning.add(-1)
	m.hookRuns.add(1, hook)
	m.hookSeconds.observe(d.Seconds(), hook)
	if failure != "" {
		m.hookFailures.add(1, hook, failure)
	}
}

// PageCache counts a visitor's request of a cacheable page by result
// ("hit", "miss", "not_modified").
func (m *Metrics) PageCache(result string) {
	if m != nil {
		m.pageCache.add(1, result)
	}
}

// Pulled counts a build of a --pull source by outcome. source is a host
// the operator named, so the label set stays bounded.
func (m *Metrics) Pulled(source, outcome string) {
	if m != nil {
		m.pulled.add(1, source, outcome)
	}
}

// Write prints every metric in the Prometheus text format.
func (m *Metrics) Write(ctx context.Context, w io.Writer) error {
	for _, f := range m.families {
		if err := f.write(w); err != nil {
			return err
		}
	}
	if m.totals != nil {
		if err := m.totals.write(ctx, w); err != nil {
			return err
		}
	}
	for _, g := range []struct {
		name, help string
		v          float64
	}{
		{"builder_web_start_time_seconds", "Start time of the process, seconds since the epoch.", float64(m.start.UnixNano()) / 1e9},
		{"go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())},
	} {
		if err := writeGauge(w, g.name, g.help, g.v); err != nil {
			return err
		}
	}
	return nil
}

// totals caches the database totals.
type totals struct {
	src Source
	log *slog.Logger

	mu       sync.Mutex // held while counting, so concurrent scrapes share one count
	counts   db.Counts
	countsAt time.Time
	countErr error

	storedMu      sync.Mutex
	stored        db.Stored
	storedAt      time.Time // zero until the first refresh finished
	storedRunning bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newTotals(src Source, log *slog.Logger) *totals {
	ctx, cancel := context.WithCancel(context.Background())
	return &totals{src: src, log: log, ctx: ctx, cancel: cancel}
}

func (t *totals) close() {
	t.cancel()
	t.wg.Wait()
}

func (t *totals) write(ctx context.Context, w io.Writer) error {
	t.mu.Lock()
	if time.Since(t.countsAt) > countsTTL {
		t.counts, t.countErr = t.src.Counts(ctx)
		t.countsAt = time.Now()
		if t.countErr != nil && t.log != nil {
			t.log.Warn("metrics: count database rows", "err", t.countErr)
		}
	}
	c, err := t.counts, t.countErr
	t.mu.Unlock()
	up := 1.0
	if err != nil {
		up = 0
	}
	gauges := []struct {
		name, help string
		v          float64
	}{{"builder_web_database_up", "1 if the last count of database rows succeeded.", up}}
	if err == nil {
		gauges = append(gauges, []struct {
			name, help string
			v          float64
		}{
			{"builder_web_jobs", "Jobs in the database.", float64(c.Jobs)},
			{"builder_web_builds", "Builds in the database.", float64(c.Builds)},
			{"builder_web_failed_builds", "Builds without a main binary.", float64(c.FailedBuilds)},
			{"builder_web_artifacts", "Artifact rows (one per file of each build).", float64(c.Artifacts)},
			{"builder_web_artifact_bytes", "Sum of the sizes of all artifact rows, before deduplication.", float64(c.ArtifactBytes)},
		}...)
	}
	if s, ok := t.storedTotals(); ok {
		gauges = append(gauges, []struct {
			name, help string
			v          float64
		}{
			{"builder_web_stored_files", "Distinct artifact contents in the store (refreshed every few minutes).", float64(s.Files)},
			{"builder_web_stored_bytes", "Bytes of distinct artifact contents in the store (refreshed every few minutes).", float64(s.Bytes)},
		}...)
	}
	for _, g := range gauges {
		if err := writeGauge(w, g.name, g.help, g.v); err != nil {
			return err
		}
	}
	return nil
}

// storedTotals returns the last stored totals and starts a refresh in the
// background when they are missing or old; a scrape never waits for it.
func (t *totals) storedTotals() (db.Stored, bool) {
	t.storedMu.Lock()
	defer t.storedMu.Unlock()
	if !t.storedRunning && time.Since(t.storedAt) > storedTTL && t.ctx.Err() == nil {
		t.storedRunning = true
		t.wg.Add(1)
		go t.refreshStored()
	}
	return t.stored, !t.storedAt.IsZero()
}

func (t *totals) refreshStored() {
	defer t.wg.Done()
	s, err := t.src.StoredContent(t.ctx)
	t.storedMu.Lock()
	defer t.storedMu.Unlock()
	t.storedRunning = false
	if err != nil {
		if t.log != nil && t.ctx.Err() == nil {
			t.log.Warn("metrics: sum stored artifacts", "err", err)
		}
		return
	}
	t.stored, t.storedAt = s, time.Now()
}
