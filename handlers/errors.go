package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/db"
)

// Uploads are answered in text/plain for builder and curl.
func isUpload(c *fiber.Ctx) bool { return uploadRoute(c.Method(), c.Path()) }

// uploadRoute tells the upload routes by method and path: the one rule
// for the handlers and for the connection limits, which see only the
// request header.
func uploadRoute(method, path string) bool {
	return method == fiber.MethodPost && (path == "/upload" || strings.HasSuffix(path, "/upload"))
}

// retryAfter is the Retry-After of a 503 for a busy database, in seconds:
// about the default busy timeout, which the lock outlived once already.
const retryAfter = "10"

// Error is fiber's error handler: it logs the cause and answers with the
// status and safe message of an *httperr.Error, as JSON when the client
// prefers it, as the not-found page for 404s of pages, else as text.
func (h *Handler) Error(c *fiber.Ctx, err error) error {
	status, safe := httperr.Status(err)
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status, safe = fe.Code, fe.Message
	case status != http.StatusInternalServerError:
		// An *httperr.Error keeps the status its owner chose.
	case db.IsBusy(err):
		// Another process (builder-db, a backup) holds the database
		// longer than the busy timeout: worth retrying, not a fault.
		status, safe = http.StatusServiceUnavailable, "Database busy, try again later"
		c.Set(fiber.HeaderRetryAfter, retryAfter)
	case db.IsFull(err):
		status, safe = http.StatusInsufficientStorage, "Insufficient storage on the server"
	case db.IsUnstorableText(err):
		// PostgreSQL only: SQLite stores any bytes.
		status, safe = http.StatusBadRequest, "A name or path is not valid UTF-8 (or holds a NUL byte), which this server's database cannot store"
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
	case WantsJSON(c) || c.Locals(jsonErrorsKey{}) == true:
		return c.Status(status).JSON(fiber.Map{"error": safe})
	case status == http.StatusNotFound && !isUpload(c) && h.Views != nil:
		return h.renderNotFound(c)
	default:
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
		return c.Status(status).SendString(safe + "\n")
	}
}

// jsonErrorsKey marks (c.Locals) a route whose answers are always JSON,
// the attestations: its errors are JSON too, whatever the Accept header,
// so that a tool reading them gets the reason rather than a page.
type jsonErrorsKey struct{}

func jsonErrors(c *fiber.Ctx) { c.Locals(jsonErrorsKey{}, true) }

// NotFound answers every request no route took.
func (h *Handler) NotFound(c *fiber.Ctx) error {
	return httperr.NotFound("Page not found")
}

// lookupErr answers a failed store lookup: db.ErrNotFound becomes a 404
// saying notFound, any other error is wrapped with what was looked up.
func lookupErr(err error, notFound, what string) error {
	if errors.Is(err, db.ErrNotFound) {
		return httperr.NotFound(notFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
