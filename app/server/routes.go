package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/handlers"
	"github.com/builder-web/builder-web/static"
)

// routes is the one place that lists every URL (reference §5). Every GET
// route answers HEAD too (fiber registers both).
func routes(f *fiber.App, h *handlers.Handler, assets *static.Assets) {
	// First, so that it logs and measures every request with its final status.
	f.Use(h.RequestLog)
	f.Use(h.BoundBody)
	f.Use(h.RejectNUL)
	// Before any route: fiber's non-strict routing would serve "/x/" as "/x".
	f.Use(h.TrailingSlash)
	// Loads the browser's session (if any) for the page header and /admin.
	f.Use(h.LoadSession)
	// After a write (upload, admin form) and before its answer, the data
	// version is read again, so cached pages never hide the change.
	f.Use(h.RefreshVersion)

	// Probes and metrics for the operator (product.md §3.3).
	f.Get("/healthz", h.Healthz)
	f.Get("/readyz", h.Readyz)
	f.Get("/metrics", h.ServeMetrics)

	// Assets and robots.
	f.Get("/static/:hash/:name", h.Static(assets))
	f.Get("/robots.txt", h.Robots)
	// The public keys of signed attestations (issue 18).
	f.Get("/.well-known/builder-web/keys.json", h.PublicKeys)

	// The read pages of visitors come from the page cache (issue 17).
	cached := h.Cached

	// Overview pages: front page, job pages, failed builds, hash search.
	f.Get("/", cached, h.Front)
	f.Get("/all-builds", cached, h.AllBuilds)
	f.Get("/failed-builds", cached, h.FailedBuilds)
	f.Get("/hash", cached, h.Hash)
	f.Get("/api", cached, h.API)
	f.Get("/new-builds", cached, h.NewBuilds) // htmx: the "N new builds" banner
	f.Get("/job/:job", cached, h.Job)
	f.Get("/job/:job/failed", cached, h.JobFailed)
	f.Get("/job/:job/output/:sha256", cached, h.JobOutput) // "built N times", expanded
	// Atom feeds and the status badge (product.md §3.3).
	f.Get("/feed.atom", cached, h.Feed)
	f.Get("/failed-builds/feed.atom", cached, h.FailedFeed)
	f.Get("/job/:job/feed.atom", cached, h.JobFeed)
	f.Get("/job/:job/badge.svg", cached, h.Badge)
	// Reproducibility (issue 12): per job and for the whole site.
	f.Get("/reproducibility", cached, h.Reproducibility)
	f.Get("/job/:job/reproducibility", cached, h.JobReproducibility)
	// Before /job/:job/build/:build, which would take "latest" as a UUID.
	f.Get("/job/:job/build/latest", h.Latest)
	f.Get("/job/:job/build/latest/*", h.Latest)

	// A build and its sub-resources.
	f.Get("/job/:job/build/:build", cached, h.Build)
	f.Get("/job/:job/build/:build/f/*", h.Artifact)
	f.Get("/job/:job/build/:build/main-binary", h.MainBinary)
	f.Get("/job/:job/build/:build/script", h.Script)
	f.Get("/job/:job/build/:build/console", h.Console)
	f.Get("/job/:job/build/:build/console/view", h.ConsoleView) // HTML, filtered; htmx fragments
	f.Get("/job/:job/build/:build/exec", h.Exec)
	f.Get("/job/:job/build/:build/all.tar.gz", h.Tarball)
	f.Get("/job/:job/build/:build/vizdependencies", h.VizDependencies)
	f.Get("/job/:job/build/:build/viztreemap", h.VizTreemap)
	f.Get("/job/:job/build/:build/vizdependencies/preview.svg", h.VizPreview(viz.KindDependencies))
	f.Get("/job/:job/build/:build/viztreemap/preview.svg", h.VizPreview(viz.KindTreemap))
	// Signed statements (issue 18): deterministic, so cached.
	f.Get("/job/:job/build/:build/attestation", cached, h.Attestation)
	f.Get("/job/:job/build/:build/reproducibility-attestation", cached, h.ReproAttestation)

	// Comparison.
	f.Get("/compare", h.CompareForm)
	f.Get("/compare/:left/:right", cached, h.Compare)
	f.Get("/compare/:left/:right/opam/:package", cached, h.CompareOpamFile)
	f.Get("/compare/:left/:right/diffoscope", h.CompareBinaries)
	f.Get("/compare/:left/:right/diffoscope/report", h.DiffoscopeReport)
	f.Get("/compare/:left/:right/sizes", h.CompareSizes)

	// Accounts and administration.
	f.Get("/login", h.LoginPage)
	f.Post("/login", h.Login)
	f.Post("/logout", h.Logout)
	admin := f.Group("/admin", h.RequireAdmin) // login, admin flag, CSRF on POST
	admin.Get("/users", h.AdminUsers)
	admin.Post("/users", h.AdminCreateUser)
	admin.Get("/users/:name", h.AdminUser)
	admin.Post("/users/:name/password", h.AdminSetPassword)
	admin.Post("/users/:name/disable", h.AdminDisableUser)
	admin.Post("/users/:name/restricted", h.AdminSetRestricted)
	admin.Post("/users/:name/admin", h.AdminSetAdmin)
	admin.Get("/users/:name/remove", h.AdminRemoveUserPage)
	admin.Post("/users/:name/remove", h.AdminRemoveUser)
	admin.Post("/users/:name/access", h.AdminAccessAdd)
	admin.Post("/users/:name/access/remove", h.AdminAccessRemove)
	admin.Get("/job-names", h.AdminJobNames) // <option>s for the access form

	// Uploads (HTTP basic auth).
	f.Post("/upload", h.Upload)
	f.Post("/job/:job/platform/:platform/upload", h.UploadBinary)

	f.Use(h.NotFound)
}
