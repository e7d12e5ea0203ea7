package viz

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Task is one visualization to draw: its kind and the hash of its input.
type Task struct {
	Kind string
	SHA  []byte
	Hex  string
	Name string // the input's file name, for the log
}

// Resolver names the visualizations of a build (by its UUID); the app
// wires it to the database so that an upload's response never waits for it.
type Resolver func(ctx context.Context, uuid string) ([]Task, error)

// Background draws the visualizations of freshly uploaded builds: a
// bounded queue, a few workers, a time limit per build. The queue drops
// what does not fit (the first request draws it then), so a burst of
// uploads neither blocks nor grows memory.
type Background struct {
	cache   *Cache
	resolve Resolver
	timeout time.Duration
	log     *slog.Logger
	queue   chan string
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// NewBackground starts workers draining a queue of queueLen builds.
func NewBackground(c *Cache, resolve Resolver, workers, queueLen int, timeout time.Duration, log *slog.Logger) *Background {
	ctx, cancel := context.WithCancel(context.Background())
	b := &Background{cache: c, resolve: resolve, timeout: timeout, log: log,
		queue: make(chan string, queueLen), ctx: ctx, cancel: cancel}
	for range max(workers, 1) {
		b.wg.Add(1)
		go b.work()
	}
	return b
}

// Enqueue asks for a build's visualizations; it never blocks. uuid is
// copied by the caller's string semantics (ingest's, not fiber's buffers).
func (b *Background) Enqueue(uuid string) {
	select {
	case <-b.ctx.Done():
	case b.queue <- uuid:
	default:
		b.log.Warn("visualization queue full: drawn on first request instead", "build", uuid)
	}
}

// Close stops the workers, abandoning queued builds (the first request
// draws them), and waits for draws under way: cache files are written
// whole or not at all.
func (b *Background) Close() {
	b.cancel()
	b.wg.Wait()
}

func (b *Background) work() {
	defer b.wg.Done()
	for {
		select {
		case <-b.ctx.Done():
			return
		case uuid := <-b.queue:
			b.draw(uuid)
		}
	}
}

func (b *Background) draw(uuid string) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	tasks, err := b.resolve(ctx, uuid)
	if err != nil {
		b.log.Error("visualizations", "build", uuid, "err", err)
		return
	}
	for _, t := range tasks {
		if ctx.Err() != nil {
			b.log.Warn("visualizations: time limit reached", "build", uuid, "timeout", b.timeout)
			return
		}
		if b.cache.Cached(t.Kind, t.Hex) {
			continue
		}
		var err error
		switch t.Kind {
		case KindDependencies:
			err = b.cache.MakeDependencies(t.SHA, t.Hex)
		case KindTreemap:
			err = b.cache.MakeTreemap(t.SHA, t.Hex, t.Name)
		}
		switch {
		case errors.Is(err, ErrUnusable):
			b.log.Debug("no visualization", "build", uuid, "kind", t.Kind, "reason", err)
		case err != nil:
			b.log.Error("visualization", "build", uuid, "kind", t.Kind, "err", err)
		}
	}
}
