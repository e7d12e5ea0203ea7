package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/handlers"
	"github.com/builder-web/builder-web/static"
)

// routes is the one place that lists every URL (reference §5). Every GET
// route answers HEAD too (fiber registers both).
func routes(f *fiber.App, h *handlers.Handler, assets *static.Assets) {
	f.Use(h.BoundBody)

	// Assets and robots.
	f.Get("/static/:hash/:name", h.Static(assets))
	f.Get("/robots.txt", h.Robots)

	// Overview pages: front page, job pages, failed builds, hash search.

	// A build and its sub-resources.
	f.Get("/job/:job/build/:build", h.Build)
	f.Get("/job/:job/build/:build/f/*", h.Artifact)

	// Comparison.

	// Accounts and administration.

	// Uploads (HTTP basic auth).
	f.Post("/upload", h.Upload)
	f.Post("/job/:job/platform/:platform/upload", h.UploadBinary)

	f.Use(h.NotFound)
}
