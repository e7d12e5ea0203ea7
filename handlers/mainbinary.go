package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

// MainBinary is GET /job/:job/build/:build/main-binary: a 302 to the main
// binary's download (product.md §2.2), with the build's real job name.
func (h *Handler) MainBinary(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	if b.Main == nil {
		return httperr.NotFound("Build has no main binary")
	}
	setSandbox(c, downloadPolicy)
	return c.Redirect(views.BuildURL(b.JobName, b.UUID)+"/f/"+views.PathEscape(b.Main.Filepath), fiber.StatusFound)
}
