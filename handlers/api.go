package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/views"
)

// API is GET /api: one page describing every JSON endpoint with an example
// (product §3.3), linked from the footer.
func (h *Handler) API(c *fiber.Ctx) error {
	return h.Views.Render(c, fiber.StatusOK, "api", views.Page{
		Title:  "JSON API",
		Crumbs: []views.Crumb{views.Home, {Text: "JSON API", URL: "/api"}},
	})
}
