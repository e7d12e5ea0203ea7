package mirror

import (
	"context"
	"log/slog"
	"time"
)

// DefaultInterval is the time between two runs of Run by default.
const DefaultInterval = 10 * time.Minute

// Run pulls from each source now and then every interval until ctx ends
// (builder-web --pull), logging a summary per source and run. A run that
// fails is logged and tried again at the next tick; observe, when set, is
// called for every build looked at (the server's metrics).
func (p *Puller) Run(ctx context.Context, sources []string, interval time.Duration, observe func(host string, o Outcome)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for _, src := range sources {
			p.runOnce(ctx, src, observe)
			if ctx.Err() != nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *Puller) runOnce(ctx context.Context, src string, observe func(string, Outcome)) {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, err := Host(src)
	if err != nil { // checked at start; kept for callers that did not
		log.Error("pull: bad source", "source", src, "err", err)
		return
	}
	var opts Options
	if observe != nil {
		opts.Progress = func(e Event) { observe(host, e.Outcome) }
	}
	start := time.Now()
	rep, err := p.Pull(ctx, src, opts)
	attrs := []any{"source", host, "new", rep.New, "skipped", rep.Skipped, "refused", len(rep.Refused),
		"bytes", rep.Bytes, "seconds", time.Since(start).Seconds()}
	switch {
	case ctx.Err() != nil:
		log.Info("pull stopped", attrs...)
	case err != nil:
		log.Error("pull failed", append(attrs, "err", err)...)
	default:
		log.Info("pull done", attrs...)
	}
}
