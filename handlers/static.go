package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/static"
)

// Static serves the embedded assets under their content hash, cacheable
// forever, compressed at start as the client accepts.
func (h *Handler) Static(assets *static.Assets) fiber.Handler {
	return func(c *fiber.Ctx) error {
		accept := pagecache.Accept(c.Get(fiber.HeaderAcceptEncoding))
		body, sent, ctype, ok := assets.LookupEncoded(c.Params("hash"), c.Params("name"), accept)
		if !ok {
			return httperr.NotFound("Page not found")
		}
		c.Set(fiber.HeaderCacheControl, static.CacheControl)
		c.Set(fiber.HeaderContentType, ctype)
		c.Vary(fiber.HeaderAcceptEncoding)
		if sent != pagecache.Identity {
			c.Set(fiber.HeaderContentEncoding, sent.Token())
		}
		c.Response().SetBodyRaw(body) // immutable, shared by every request
		return nil
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
