// Package hooks runs the upload hooks of reference §4.5: the executable
// CONFIGDIR/upload-hooks/*.sh files, after a build with a main binary was
// committed. Hooks run in the background on a few workers, each with a
// timeout, so that neither the upload response nor the machine waits for
// a slow or stuck hook.
package hooks

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/metrics"
	"github.com/builder-web/builder-web/app/store"
)

// Defaults of Config.
const (
	DefaultTimeout = 10 * time.Minute
	DefaultWorkers = 4
	DefaultQueue   = 1024
)

// Config says where hooks are and how they run.
type Config struct {
	Dir     string        // CONFIGDIR/upload-hooks; a missing directory means no hooks
	DataDir string        // the data directory; made absolute for the arguments
	Timeout time.Duration // per hook run; the process group is killed after it
	Workers int           // hooks running at the same time, at most
	Queue   int           // builds waiting for their hooks, at most; more are dropped
}

// Runner queues committed builds and runs their hooks.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics.Metrics

	mu     sync.Mutex // guards closed and sends on queue
	closed bool
	queue  chan ingest.Build

	// ctx ends when a shutdown runs out of time: running hooks are killed
	// and queued builds skipped.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New starts the workers of a Runner.
func New(cfg Config, log *slog.Logger, m *metrics.Metrics) (*Runner, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("upload hooks: data directory: %w", err)
	}
	cfg.DataDir = abs
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{cfg: cfg, log: log, metrics: m, queue: make(chan ingest.Build, cfg.Queue), ctx: ctx, cancel: cancel}
	for range cfg.Workers {
		r.wg.Add(1)
		go r.work()
	}
	if names, err := List(cfg.Dir); err != nil {
		log.Warn("upload hooks: cannot list directory", "dir", cfg.Dir, "err", err)
	} else if len(names) > 0 {
		log.Info("upload hooks", "dir", cfg.Dir, "hooks", names)
	}
	return r, nil
}

// Enqueue schedules the hooks of a committed build and returns at once.
// Builds without a main binary have no hooks (reference §4.5).
func (r *Runner) Enqueue(b ingest.Build) {
	if b.MainBinary == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.metrics.HookDropped()
		r.log.Warn("upload hooks not run: server is stopping", "job", b.Job, "uuid", b.UUID)
		return
	}
	select {
	case r.queue <- b:
		r.metrics.HookQueued(1)
	default:
		r.metrics.HookDropped()
		r.log.Error("upload hooks not run: queue full", "job", b.Job, "uuid", b.UUID, "queued", cap(r.queue))
	}
}

// Shutdown stops taking builds and lets the queued and running hooks
// finish until ctx ends; then it kills what still runs, skips what is
// still queued and waits for the killed processes.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
	}
	select {
	case <-done: // finished just as time ran out
		r.cancel()
		return nil
	default:
	}
	r.cancel()
	<-done
	return fmt.Errorf("upload hooks did not finish in time and were stopped: %w", ctx.Err())
}

func (r *Runner) work() {
	defer r.wg.Done()
	for b := range r.queue {
		r.metrics.HookQueued(-1)
		if r.ctx.Err() != nil {
			r.metrics.HookDropped()
			r.log.Warn("upload hooks not run: server stopped", "job", b.Job, "uuid", b.UUID)
			continue
		}
		r.runAll(b)
	}
}

// runAll runs the hooks of one build one after the other, in name order,
// so that a later hook may rely on an earlier one having finished.
func (r *Runner) runAll(b ingest.Build) {
	names, err := List(r.cfg.Dir)
	if err != nil {
		r.log.Error("upload hooks: cannot list directory", "dir", r.cfg.Dir, "err", err)
		return
	}
	args := Args(b, r.cfg.DataDir)
	for _, name := range names {
		if r.ctx.Err() != nil {
			return
		}
		r.run(filepath.Join(r.cfg.Dir, name), name, args, b)
	}
}

// List returns the names of the hooks in dir, sorted: regular files (a
// symbolic link to one counts) with all three execute bits set and the
// final extension .sh, so example.sh.sample is skipped. A missing
// directory has no hooks.
func List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries { // ReadDir sorts by name
		if filepath.Ext(e.Name()) != ".sh" {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 != 0o111 {
			continue
		}
		names = append(names, e.Name())
	}
	return names, nil
}

// Args are the arguments every hook gets (reference §4.5), each its own
// argv word.
func Args(b ingest.Build, dataDir string) []string {
	sha := hex.EncodeToString(b.MainBinary.SHA256)
	return []string{
		"--build-time=" + b.Start.UTC().Format("20060102150405"),
		"--sha256=" + sha,
		"--job=" + b.Job,
		"--uuid=" + b.UUID,
		"--platform=" + b.Platform,
		"--cache-dir=" + filepath.Join(dataDir, store.CacheDir),
		"--data-dir=" + dataDir,
		"--main-binary-filepath=" + b.MainBinary.Path,
		filepath.Join(dataDir, filepath.FromSlash(store.ArtifactRel(b.MainBinary.SHA256))),
	}
}
