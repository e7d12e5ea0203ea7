package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/static"
)

// Static serves the embedded assets under their content hash, cacheable forever.
func (h *Handler) Static(assets *static.Assets) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body, ctype, ok := assets.Lookup(c.Params("hash"), c.Params("name"))
		if !ok {
			return httperr.NotFound("Page not found")
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		c.Set(fiber.HeaderContentType, ctype)
		return c.Send(body)
	}
}

const robots = `User-agent: *
Disallow: /job/*/build/*/f/
Disallow: /job/*/build/*/main-binary
Disallow: /job/*/build/*/script
Disallow: /job/*/build/*/console
Disallow: /job/*/build/*/all.tar.gz
Disallow: /job/*/build/*/exec
Disallow: /compare/
`

// Robots is GET /robots.txt (reference §6.9).
func (h *Handler) Robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	return c.SendString(robots)
}
