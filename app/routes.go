package app

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/handlers"
	"github.com/builder-web/builder-web/static"
)

// routes is the one place that lists every URL (reference §5).
func routes(f *fiber.App, h *handlers.Handler, assets *static.Assets) {
	f.Use(h.BoundBody)

	f.Get("/static/:hash/:name", h.Static(assets))
	f.Get("/robots.txt", h.Robots)

	f.Get("/job/:job/build/:build", h.Build)
	f.Get("/job/:job/build/:build/f/*", h.Artifact)

	f.Post("/upload", h.Upload)
	f.Post("/job/:job/platform/:platform/upload", h.UploadBinary)

	f.Use(h.NotFound)
}
