package handlers

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
)

// RejectNUL refuses every request whose path or query holds a NUL, raw or
// percent-encoded, before a handler sees it: no name, path or parameter of
// ours may contain one, and SQLite and the file system answer a NUL with an
// error that would otherwise become a 500. Being the first check of every
// route, it is the one owner of the rule for URLs.
func (h *Handler) RejectNUL(c *fiber.Ctx) error {
	uri := c.Request().URI()
	if hasNUL(uri.PathOriginal()) || hasNUL(uri.QueryString()) {
		return httperr.BadRequest("Bad request: NUL in URL", nil)
	}
	return c.Next()
}

func hasNUL(b []byte) bool {
	return bytes.IndexByte(b, 0) >= 0 || bytes.Contains(b, []byte("%00"))
}

// copyString detaches a string from fiber's reused request buffer.
func copyString(s string) string { return strings.Clone(s) }

// pathParam returns a percent-decoded route parameter, copied.
func pathParam(c *fiber.Ctx, name string) (string, error) {
	raw := c.Params(name)
	s, err := url.PathUnescape(raw)
	if err != nil {
		return "", httperr.BadRequest("Bad request: malformed path", err)
	}
	return strings.Clone(s), nil
}

// uuidParam parses a UUID route parameter (either case) into its
// lowercase text form; a malformed one is a 400 (product.md §2.1).
func uuidParam(c *fiber.Ctx, name string) (string, error) {
	s, err := pathParam(c, name)
	if err != nil {
		return "", err
	}
	u, err := builder.ParseUUID(s)
	if err != nil {
		return "", httperr.BadRequest("Bad uuid", err)
	}
	return builder.UUIDString(u), nil
}

// basicAuth splits an Authorization header of scheme Basic at the first
// colon: passwords may contain colons (reference §12).
func basicAuth(header string) (user, pass string, ok bool) {
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(dec), ":")
	return user, pass, ok
}

func queryEscape(s string) string { return url.QueryEscape(s) }
