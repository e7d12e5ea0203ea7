// Package handlers holds the HTTP handlers: each parses its request, calls
// the domain packages and the database, and picks a page, a fragment or
// JSON. No handler writes SQL.
package handlers

import (
	"log/slog"
	"time"

	"github.com/builder-web/builder-web/app/diffoscope"

	"github.com/builder-web/builder-web/app/attest"
	"github.com/builder-web/builder-web/app/auth"
	"github.com/builder-web/builder-web/app/clientip"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/metrics"
	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/app/viz"
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
	// BodyIdle is how long a request body may send nothing before the
	// connection is dropped (HeaderReceived, uploadBody); server.New sets it.
	BodyIdle time.Duration
	// Metrics counts requests and uploads (RequestLog) for /metrics.
	Metrics *metrics.Metrics
	// ExpiredJobs is --expired-jobs: the front page hides a job's platform
	// whose newest successful build finished more than this many days ago
	// (reference §9); 0 hides nothing.
	ExpiredJobs int

	// Browser sessions, failed-password throttling and the trusted proxies
	// (accounts, product.md §3.2, §6.3).
	Sessions *session.Manager
	Throttle *session.Throttle
	Clients  *clientip.Resolver

	// Solo5 remembers what main binaries' solo5 notes say, by content
	// hash (stored files never change), for the build page and front JSON.
	Solo5 *solo5.Cache
	// Diffoscope compares two main binaries in the background (issue 12).
	Diffoscope *diffoscope.Runner

	// Pages caches the rendered read pages of visitors, keyed by the data
	// version that Version keeps in memory (issue 17); see Cached.
	Pages   *pagecache.Cache
	Version *pagecache.Version
	// Viz draws the visualizations missing from the cache (issue 13).
	Viz *viz.Cache
	// Signer signs the attestations of builds (issue 18).
	Signer *attest.Keys

	// frontCells keeps the front page rows' cells by build (front.go).
	frontCells views.FrontCellsCache
}
