package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
)

// ServeMetrics is GET /metrics in the Prometheus text format.
func (h *Handler) ServeMetrics(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := h.Metrics.Write(c.UserContext(), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
