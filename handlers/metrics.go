package handlers

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/metrics"
)

// ServeMetrics is GET /metrics in the Prometheus text format.
func (h *Handler) ServeMetrics(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := h.Metrics.Write(c.UserContext(), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, metrics.ContentType())
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
