package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
)

// uploadPaths are answered in text/plain for builder and curl.
func isUpload(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && (c.Path() == "/upload" || strings.HasSuffix(c.Path(), "/upload"))
}

// Error is fiber's error handler: it logs the cause and answers with the
// status and safe message of an *httperr.Error, as JSON when the client
// prefers it, as the not-found page for 404s of pages, else as text.
func (h *Handler) Error(c *fiber.Ctx, err error) error {
	status, safe := httperr.Status(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status, safe = fe.Code, fe.Message
	}
	if status >= 500 && h.Log != nil {
		h.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="builder-web"`)
	}
	if status == http.StatusRequestEntityTooLarge || isUpload(c) {
		// The rest of a streamed body may be unread: the connection cannot
		// carry another request.
		c.Context().SetConnectionClose()
	}
	c.Response().ResetBody()
	// Messages may quote the request; no browser may take them for HTML.
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	switch {
	case WantsJSON(c):
		return c.Status(status).JSON(fiber.Map{"error": safe})
	case status == http.StatusNotFound && !isUpload(c) && h.Views != nil:
		return h.renderNotFound(c)
	default:
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
		return c.Status(status).SendString(safe + "\n")
	}
}

// NotFound answers every request no route took.
func (h *Handler) NotFound(c *fiber.Ctx) error {
	return httperr.NotFound("Page not found")
}

// BoundBody refuses large bodies on routes other than the uploads: with
// streamed request bodies fiber's BodyLimit does not bound them.
func (h *Handler) BoundBody(c *fiber.Ctx) error {
	const maxForm = 1 << 20
	if isUpload(c) {
		return c.Next()
	}
	n := c.Request().Header.ContentLength()
	if n > maxForm || n == -1 {
		return httperr.New(http.StatusRequestEntityTooLarge, "Request body too large", nil)
	}
	return c.Next()
}
