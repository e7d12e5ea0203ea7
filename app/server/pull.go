package server

import (
	"context"
	"sync"

	"github.com/builder-web/builder-web/app/mirror"
)

// DefaultPullInterval is how often --pull sources are read.
const DefaultPullInterval = mirror.DefaultInterval

// puller runs the --pull sources in the background (issue 18).
type puller struct {
	stop context.CancelFunc
	done chan struct{}
	once sync.Once
}

// checkPull validates the --pull sources before anything starts.
func checkPull(cfg Config) error {
	for _, s := range cfg.Pull {
		if _, err := mirror.ParseSource(s); err != nil {
			return err
		}
	}
	return nil
}

// startPull starts pulling from the configured sources, through the same
// ingester as uploads (their hooks and drawings run for pulled builds too).
func (a *App) startPull() {
	if len(a.Config.Pull) == 0 {
		return
	}
	interval := a.Config.PullInterval
	if interval <= 0 {
		interval = DefaultPullInterval
	}
	p := &mirror.Puller{DB: a.DB, Ingest: a.Ingest, MaxRecord: a.Config.MaxUploadSize, Log: a.Log}
	ctx, cancel := context.WithCancel(context.Background())
	a.pull = &puller{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.pull.done)
		p.Run(ctx, a.Config.Pull, interval, func(host string, o mirror.Outcome) {
			a.Metrics.Pulled(host, string(o))
		})
	}()
}

// stopPull ends the background pull and waits for it: a build being
// stored is rolled back, its staged files removed. Safe to call again.
func (a *App) stopPull() {
	if a.pull == nil {
		return
	}
	a.pull.once.Do(func() {
		a.pull.stop()
		<-a.pull.done
	})
}
