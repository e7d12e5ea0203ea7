package handlers

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// slashKept are the subtrees where a trailing slash means something: artifact
// paths and the latest redirect's suffix (reference §5).
var slashKept = regexp.MustCompile(`^/job/[^/]+/build/(latest/|[^/]+/f/)`)

// TrailingSlash answers GET and HEAD requests for a path ending in "/" (other
// than "/" and the slashKept subtrees) with a 301 to the path without it,
// keeping the query (reference §5, product §2.2). It runs before routing:
// fiber's non-strict routing would otherwise serve both forms.
func (h *Handler) TrailingSlash(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	raw := c.OriginalURL()
	p, query, hasQuery := strings.Cut(raw, "?")
	if p == "/" || !strings.HasSuffix(p, "/") || slashKept.MatchString(p) {
		return c.Next()
	}
	target := strings.TrimRight(p, "/")
	// "//evil.example/" must not become the protocol-relative "//evil.example".
	target = "/" + strings.TrimLeft(target, "/")
	if hasQuery {
		target += "?" + query
	}
	return c.Redirect(target, fiber.StatusMovedPermanently)
}
