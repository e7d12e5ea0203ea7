// Package metrics keeps builder-web's counters and histograms and writes
// them in the Prometheus text format, with prometheus/client_golang (which
// brings the standard go_* and process_* metrics).
package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

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

// Metrics is the instrumentation of one App: its own registry (no global
// state, so tests and several apps in one process never share series),
// with Go runtime and process metrics as operators' dashboards expect them.
type Metrics struct {
	reg *prometheus.Registry

	requests      *prometheus.HistogramVec
	requestsTotal *prometheus.CounterVec
	uploads       *prometheus.CounterVec
	uploadBytes   prometheus.Counter
	uploadSeconds prometheus.Histogram
	hookRuns      *prometheus.CounterVec
	hookFailures  *prometheus.CounterVec
	hookSeconds   *prometheus.HistogramVec
	hooksDropped  prometheus.Counter
	hooksRunning  prometheus.Gauge
	hooksQueued   prometheus.Gauge
	pageCache     *prometheus.CounterVec
	pulled        *prometheus.CounterVec

	totals *totals
}

// New returns empty metrics; src (may be nil) supplies database totals.
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "builder_web_http_request_duration_seconds",
			Help:    "Time spent handling HTTP requests, by route pattern (streamed responses: until the handler returned).",
			Buckets: requestBuckets,
		}, []string{"method", "route"}),
		requestsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"method", "route", "code"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_uploads_total",
			Help: "Uploads (POST /upload and bare binaries), by response status.",
		}, []string{"status"}),
		uploadBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "builder_web_upload_bytes_total",
			Help: "Bytes of upload bodies as declared by Content-Length.",
		}),
		uploadSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "builder_web_upload_duration_seconds",
			Help:    "Time from the start of an upload request to its response, body transfer included.",
			Buckets: uploadBuckets,
		}),
		hookRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_hook_runs_total",
			Help: "Upload hook runs that finished, by hook file name.",
		}, []string{"hook"}),
		hookFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_hook_failures_total",
			Help: "Upload hook runs that failed, by hook and reason (exit, timeout, killed, start).",
		}, []string{"hook", "reason"}),
		hookSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "builder_web_hook_duration_seconds",
			Help:    "Run time of upload hooks.",
			Buckets: hookBuckets,
		}, []string{"hook"}),
		hooksDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "builder_web_hook_builds_dropped_total",
			Help: "Builds whose hooks were not run because the queue was full or the server was stopping.",
		}),
		hooksRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "builder_web_hooks_running",
			Help: "Upload hook processes running now.",
		}),
		hooksQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "builder_web_hook_builds_queued",
			Help: "Builds waiting for their upload hooks to run.",
		}),
		pageCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_page_cache_requests_total",
			Help: "Visitors' requests of cached pages, by result: hit, miss or not_modified (304 on the ETag).",
		}, []string{"result"}),
		pulled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "builder_web_pull_builds_total",
			Help: "Builds of other servers looked at by --pull, by source host and outcome: new, skipped or refused.",
		}, []string{"source", "outcome"}),
	}
	start := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "builder_web_start_time_seconds",
		Help: "Start time of the process, seconds since the epoch.",
	})
	start.SetToCurrentTime()
	m.reg.MustRegister(m.requests, m.requestsTotal, m.uploads, m.uploadBytes, m.uploadSeconds,
		m.hookRuns, m.hookFailures, m.hookSeconds, m.hooksDropped, m.hooksRunning, m.hooksQueued,
		m.pageCache, m.pulled, start,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src != nil {
		m.totals = newTotals(src, log)
		m.reg.MustRegister(m.totals)
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
	m.requests.WithLabelValues(method, route).Observe(d.Seconds())
	m.requestsTotal.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
}

// ObserveUpload records one upload request; size is its declared body
// length (-1 when unknown).
func (m *Metrics) ObserveUpload(code int, size int64, d time.Duration) {
	if m == nil {
		return
	}
	m.uploads.WithLabelValues(strconv.Itoa(code)).Inc()
	if size > 0 {
		m.uploadBytes.Add(float64(size))
	}
	m.uploadSeconds.Observe(d.Seconds())
}

// HookQueued counts builds waiting for their hooks (delta +1 or -1).
func (m *Metrics) HookQueued(delta int) {
	if m != nil {
		m.hooksQueued.Add(float64(delta))
	}
}

// HookDropped counts a build whose hooks were not run.
func (m *Metrics) HookDropped() {
	if m != nil {
		m.hooksDropped.Inc()
	}
}

// HookStarted counts a running hook process; call HookFinished after.
func (m *Metrics) HookStarted() {
	if m != nil {
		m.hooksRunning.Inc()
	}
}

// HookFinished records a finished hook run; failure is "" on success,
// else the reason.
func (m *Metrics) HookFinished(hook string, d time.Duration, failure string) {
	if m == nil {
		return
	}
	m.hooksRunning.Dec()
	m.hookRuns.WithLabelValues(hook).Inc()
	m.hookSeconds.WithLabelValues(hook).Observe(d.Seconds())
	if failure != "" {
		m.hookFailures.WithLabelValues(hook, failure).Inc()
	}
}

// PageCache counts a visitor's request of a cacheable page by result
// ("hit", "miss", "not_modified").
func (m *Metrics) PageCache(result string) {
	if m != nil {
		m.pageCache.WithLabelValues(result).Inc()
	}
}

// Pulled counts a build of a --pull source by outcome. source is a host
// the operator named, so the label set stays bounded.
func (m *Metrics) Pulled(source, outcome string) {
	if m != nil {
		m.pulled.WithLabelValues(source, outcome).Inc()
	}
}

// ContentType is the media type of what Write prints.
func ContentType() string { return string(expfmt.NewFormat(expfmt.TypeTextPlain)) }

// Write prints every metric in the Prometheus text format. The database
// totals are refreshed first (within ctx) when older than countsTTL.
func (m *Metrics) Write(ctx context.Context, w io.Writer) error {
	if m.totals != nil {
		m.totals.refresh(ctx)
	}
	families, err := m.reg.Gather()
	if err != nil {
		return fmt.Errorf("gather metrics: %w", err)
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("write metric %s: %w", f.GetName(), err)
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

// refresh counts the database rows again when the last count is older
// than countsTTL; concurrent scrapes share one count.
func (t *totals) refresh(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Since(t.countsAt) <= countsTTL {
		return
	}
	t.counts, t.countErr = t.src.Counts(ctx)
	t.countsAt = time.Now()
	if t.countErr != nil && t.log != nil {
		t.log.Warn("metrics: count database rows", "err", t.countErr)
	}
}

// Describe sends nothing: the totals are an unchecked collector, because
// which gauges exist depends on whether the last count worked.
func (t *totals) Describe(chan<- *prometheus.Desc) {}

// Collect reports the last counts (refresh ran before the gathering).
func (t *totals) Collect(ch chan<- prometheus.Metric) {
	t.mu.Lock()
	c, err := t.counts, t.countErr
	counted := !t.countsAt.IsZero()
	t.mu.Unlock()
	up := 1.0
	if err != nil || !counted {
		up = 0
	}
	gauge(ch, "builder_web_database_up", "1 if the last count of database rows succeeded.", up)
	if up == 1 {
		gauge(ch, "builder_web_jobs", "Jobs in the database.", float64(c.Jobs))
		gauge(ch, "builder_web_builds", "Builds in the database.", float64(c.Builds))
		gauge(ch, "builder_web_failed_builds", "Builds without a main binary.", float64(c.FailedBuilds))
		gauge(ch, "builder_web_artifacts", "Artifact rows (one per file of each build).", float64(c.Artifacts))
		gauge(ch, "builder_web_artifact_bytes", "Sum of the sizes of all artifact rows, before deduplication.", float64(c.ArtifactBytes))
	}
	if s, ok := t.storedTotals(); ok {
		gauge(ch, "builder_web_stored_files", "Distinct artifact contents in the store (refreshed every few minutes).", float64(s.Files))
		gauge(ch, "builder_web_stored_bytes", "Bytes of distinct artifact contents in the store (refreshed every few minutes).", float64(s.Bytes))
	}
}

func gauge(ch chan<- prometheus.Metric, name, help string, v float64) {
	ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, nil, nil), prometheus.GaugeValue, v)
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
