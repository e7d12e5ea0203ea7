// Package handlers holds the HTTP handlers: each parses its request, calls
// the domain packages and the database, and picks a page, a fragment or
// JSON. No handler writes SQL.
package handlers

import (
	"log/slog"

	"github.com/builder-web/builder-web/app/auth"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// Handler holds what every handler needs.
type Handler struct {
	DB            *db.DB
	Store         *store.Store
	Ingest        *ingest.Ingester
	Auth          *auth.Authenticator
	Views         *views.Views
	Log           *slog.Logger
	MaxUploadSize int64
}
