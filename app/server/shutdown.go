package server

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Shutdown bounds (the systemd unit's TimeoutStopSec=90 leaves room for
// both and for closing the database).
const (
	// ShutdownRequests is how long running requests (uploads above all)
	// may take to finish once the server stops accepting connections.
	ShutdownRequests = 60 * time.Second
	// ShutdownHooks is how long queued and running upload hooks may take
	// after that; then they are killed.
	ShutdownHooks = 20 * time.Second
)

// Shutdown stops the server gracefully: no new connections, running
// requests finish within requests, upload hooks (including those of the
// uploads that just finished) within hooks; then the database is closed.
// The Fiber app must have been started with Listen or Listener.
func (a *App) Shutdown(requests, hooks time.Duration) error {
	var errs []error
	a.Log.Info("shutting down: waiting for running requests", "timeout", requests)
	if err := a.Fiber.ShutdownWithTimeout(requests); err != nil {
		errs = append(errs, fmt.Errorf("stop HTTP server: %w", err))
	}
	a.stopPull() // its last builds' hooks are then queued, and wait below
	a.Log.Info("shutting down: waiting for upload hooks", "timeout", hooks)
	ctx, cancel := context.WithTimeout(context.Background(), hooks)
	defer cancel()
	if err := a.Hooks.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	if len(errs) == 0 {
		a.Log.Info("shut down cleanly")
	}
	return errors.Join(errs...)
}
