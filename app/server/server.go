package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/attest"
	"github.com/builder-web/builder-web/app/auth"
	"github.com/builder-web/builder-web/app/clientip"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/diffoscope"
	"github.com/builder-web/builder-web/app/hooks"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/metrics"
	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/handlers"
	"github.com/builder-web/builder-web/static"
	"github.com/builder-web/builder-web/views"
)

// Visualization drawing (issue 13): two workers share the machine with
// uploads; a queue of 256 builds rides out a burst; a build's two drawings
// take well under a second, so 30 s only stops a pathological input.
const (
	vizWorkers = 2
	vizQueue   = 256
	vizTimeout = 30 * time.Second
)

// App is a running builder-web: its database, store and HTTP application.
type App struct {
	Config Config
	Log    *slog.Logger
	DB     *db.DB
	Store  *store.Store
	Ingest *ingest.Ingester
	Fiber  *fiber.App

	// Metrics are served at /metrics; Hooks runs the upload hooks of
	// committed builds in the background (see Shutdown).
	Metrics   *metrics.Metrics
	Hooks     *hooks.Runner
	closeOnce sync.Once
	closeErr  error

	// Sessions and Throttle are exposed so that tests can set their clocks.
	Sessions *session.Manager
	Throttle *session.Throttle
	// Diffoscope compares main binaries in the background (issue 12).
	Diffoscope *diffoscope.Runner
	// Version is the data version the page cache keys pages by (issue 17).
	Version *pagecache.Version
	pages   *pagecache.Cache
	// Viz draws the visualizations (issue 13): on request through Viz,
	// after each upload through VizBackground.
	Viz           *viz.Cache
	VizBackground *viz.Background
	// Keys sign the attestations (issue 18).
	Keys *attest.Keys
	// pull copies the builds of the --pull servers (issue 18).
	pull *puller
}

func pageCacheSize(n int64) int64 {
	switch {
	case n == 0:
		return pagecache.DefaultSize
	case n < 0:
		return 0
	}
	return n
}

// New opens (creating and migrating when needed) the data directory and
// builds the HTTP application. Interrupted uploads are cleaned up first.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.MaxUploadSize <= 0 {
		cfg.MaxUploadSize = DefaultMaxUploadSize
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.BodyIdleTimeout <= 0 {
		cfg.BodyIdleTimeout = DefaultBodyIdleTimeout
	}
	if err := checkPull(cfg); err != nil {
		return nil, err
	}
	if err := store.CheckWritable(cfg.DataDir); err != nil {
		return nil, err
	}
	mode := datadir.Migrated
	if cfg.NoMigrate {
		// Our pages read the tables of our migrations: with one pending
		// they would answer 500, so the server refuses to start instead.
		mode = datadir.Current
	}
	data, err := datadir.Open(ctx, cfg.DataDir, datadir.Options{Mode: mode, BusyTimeout: cfg.BusyTimeout,
		Database: cfg.Database, Node: cfg.Node})
	if err != nil {
		return nil, err
	}
	logOpened(log, data.Report)
	d, st := data.DB, data.Store
	// The signing key of attestations, made on the first start (issue 18).
	keys, err := attest.Open(cfg.DataDir, time.Now())
	if err != nil {
		d.Close()
		return nil, err
	}
	in := &ingest.Ingester{DB: d, Store: st, Log: log}
	if _, err := in.Recover(ctx); err != nil {
		d.Close()
		return nil, err
	}
	m := metrics.New(d, log)
	hk, err := hooks.New(hooks.Config{Dir: cfg.HooksDir(), DataDir: cfg.DataDir,
		Timeout: cfg.HookTimeout, Workers: cfg.HookWorkers}, log, m)
	if err != nil {
		d.Close()
		return nil, err
	}
	// Set after Recover: builds completed at start already ran (or lost)
	// their hooks in the previous process.
	vc := viz.NewCache(st, vizWorkers)
	vb := viz.NewBackground(vc, viz.BuildTasks(d), vizWorkers, vizQueue, vizTimeout, log)
	in.OnCommit = func(b ingest.Build) {
		hk.Enqueue(b)
		vb.Enqueue(b.UUID) // drawn after the response, not before
	}
	a := &App{Config: cfg, Log: log, DB: d, Store: st, Ingest: in, Metrics: m, Hooks: hk, Viz: vc, VizBackground: vb,
		Version: pagecache.NewVersion(d, 0), Keys: keys}
	if err := a.buildFiber(); err != nil {
		a.Close()
		return nil, err
	}
	a.startPull()
	return a, nil
}

// logOpened logs what starting did to the database.
func logOpened(log *slog.Logger, rep datadir.Report) {
	if rep.Created {
		log.Info("created database", "path", rep.Path)
	}
	if rep.Adopted {
		log.Info("adopted the reference's schema 18 database", "path", rep.Path)
	}
	if n := len(rep.Applied); n > 0 {
		log.Info("applied migrations", "count", n)
	}
}

func (a *App) buildFiber() error {
	assets, err := static.New()
	if err != nil {
		return fmt.Errorf("load static assets: %w", err)
	}
	v, err := views.New(assets)
	if err != nil {
		return fmt.Errorf("parse templates: %w", err)
	}
	a.pages = pagecache.New(pageCacheSize(a.Config.PageCacheSize))
	au, err := auth.New(a.DB, a.Log)
	if err != nil {
		return err
	}
	clients, err := clientip.New(a.Config.TrustedProxies)
	if err != nil {
		return err
	}
	a.Sessions, err = session.New(a.DB)
	if err != nil {
		return err
	}
	a.Throttle = session.NewThrottle()
	a.Diffoscope = diffoscope.New(diffoscope.Config{
		CacheDir: filepath.Join(a.Config.DataDir, store.CacheDir),
		Program:  a.Config.DiffoscopeProgram,
		Workers:  a.Config.DiffoscopeWorkers,
		Timeout:  a.Config.DiffoscopeTimeout,
		Memory:   a.Config.DiffoscopeMemory,
	}, a.Log)
	h := &handlers.Handler{
		DB:            a.DB,
		Store:         a.Store,
		Ingest:        a.Ingest,
		Auth:          au,
		Views:         v,
		Log:           a.Log,
		MaxUploadSize: a.Config.MaxUploadSize,
		BodyIdle:      a.Config.BodyIdleTimeout,
		Metrics:       a.Metrics,
		ExpiredJobs:   a.Config.ExpiredJobs,
		Sessions:      a.Sessions,
		Throttle:      a.Throttle,
		Clients:       clients,
		Solo5:         solo5.NewCache(1024),
		Diffoscope:    a.Diffoscope,
		Pages:         a.pages,
		Version:       a.Version,
		Viz:           a.Viz,
		Signer:        a.Keys,
	}
	bodyLimit := a.Config.MaxUploadSize
	if bodyLimit > int64(^uint32(0)>>1) {
		bodyLimit = int64(^uint32(0) >> 1) // fasthttp takes an int; uploads are bounded by the handler
	}
	f := fiber.New(fiber.Config{
		AppName:               "builder-web",
		DisableStartupMessage: true,
		StreamRequestBody:     true,
		BodyLimit:             int(bodyLimit),
		ErrorHandler:          h.Error,
		ReadBufferSize:        16 << 10,
		// fasthttp sets ReadTimeout before each request's header is read;
		// HeaderReceived replaces it for the body, so it bounds the header
		// only and never a long upload.
		ReadTimeout: a.Config.HeaderTimeout,
		IdleTimeout: a.Config.IdleTimeout,
	})
	f.Server().HeaderReceived = h.HeaderReceived
	routes(f, h, assets)
	a.Fiber = f
	return nil
}

// Close stops at once: running hooks are killed, then the database is
// closed. Shutdown is the graceful way. Calling Close again does nothing.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.stopPull() // before the hooks: a pulled build enqueues its hooks
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = a.Hooks.Shutdown(ctx) // an error only says that hooks were killed
		if a.Diffoscope != nil {
			a.Diffoscope.Close() // kills runs under way: a report is whole or absent
		}
		a.VizBackground.Close() // waits for draws under way: no write after the database closes
		a.Metrics.Close()
		a.closeErr = a.DB.Close()
	})
	return a.closeErr
}

// PageStats returns the page cache's hits and misses so far.
func (a *App) PageStats() (hits, misses int64) {
	return a.pages.Stats()
}
