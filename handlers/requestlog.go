package handlers

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// unmatchedRoute labels requests that no route took: 404s, trailing-slash
// redirects, bodies refused before routing. Raw paths never become labels,
// or every scanned URL would grow the metrics.
const unmatchedRoute = "unmatched"

// RequestLog is the first middleware: it writes one log line per request
// (method, route pattern, path, status, duration, response bytes, client)
// and feeds the request and upload metrics. To see the final status of
// failed requests it runs the error handler itself, as fiber's logger
// middleware does, and returns nil.
func (h *Handler) RequestLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	d := time.Since(start)
	status := c.Response().StatusCode()
	method, route := requestLabels(c)
	h.Metrics.ObserveRequest(method, route, status, d)
	if isUpload(c) {
		h.Metrics.ObserveUpload(status, int64(c.Request().Header.ContentLength()), d)
	}
	if h.Log == nil {
		return nil
	}
	level := slog.LevelInfo
	if quietRoute(route) && status < 400 {
		level = slog.LevelDebug // probes and scrapes every few seconds
	}
	h.Log.LogAttrs(context.Background(), level, "request",
		slog.String("method", method),
		slog.String("route", route),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Int64("bytes", responseBytes(c)),
		slog.String("client", h.Clients.Client(peer(c), headerValues(c, fiber.HeaderXForwardedFor)).String()),
	)
	return nil
}

// requestLabels returns the method and the pattern of the route that
// answered, for logs and metrics. Any registered pattern keeps the labels
// bounded. A middleware registered with f.Use answers under the pattern
// "/" for every path (fiber does not tell it from the front page's route),
// so "/" for another path means no route took the request. A route without
// handlers is fiber's stand-in holding the raw path.
func requestLabels(c *fiber.Ctx) (method, route string) {
	r := c.Route()
	if r == nil || len(r.Handlers) == 0 || (r.Path == "/" && c.Path() != "/") {
		return knownMethod(c.Method()), unmatchedRoute
	}
	return knownMethod(c.Method()), r.Path
}

// knownMethod maps the method to a constant string: fiber's c.Method()
// points into a reused buffer, and odd methods must not grow the labels.
func knownMethod(m string) string {
	for _, k := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
		fiber.MethodDelete, fiber.MethodPatch, fiber.MethodOptions} {
		if m == k {
			return k
		}
	}
	return "OTHER"
}

func quietRoute(route string) bool {
	switch route {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(route, "/static/")
}

// responseBytes is the length of the response body, without reading a
// streamed body (an artifact download) into memory; -1 when unknown.
func responseBytes(c *fiber.Ctx) int64 {
	r := c.Response()
	if r.IsBodyStream() {
		return int64(r.Header.ContentLength())
	}
	return int64(len(r.Body()))
}
