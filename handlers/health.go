package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout bounds the readiness query: a database that does not answer
// a SELECT 1 within it is as good as down for a load balancer.
const readyTimeout = time.Second

// Healthz is GET /healthz: the process is alive and serving HTTP.
func (h *Handler) Healthz(c *fiber.Ctx) error {
	return probe(c, fiber.StatusOK, "ok")
}

// Readyz is GET /readyz: 200 when the database answers, else 503.
func (h *Handler) Readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	if err := h.DB.Ready(ctx); err != nil {
		if h.Log != nil {
			h.Log.Warn("not ready", "err", err)
		}
		return probe(c, fiber.StatusServiceUnavailable, "database not ready")
	}
	return probe(c, fiber.StatusOK, "ok")
}

func probe(c *fiber.Ctx, status int, text string) error {
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).SendString(text + "\n")
}
