package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/session"
)

// Logout is POST /logout: it ends the session in the database, not only
// in the browser.
func (h *Handler) Logout(c *fiber.Ctx) error {
	s := sessionOf(c)
	if s == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if !s.CheckCSRF(csrfToken(c)) {
		return h.csrfFailed(c)
	}
	if err := h.Sessions.Delete(c.UserContext(), c.Cookies(session.CookieName)); err != nil {
		return err
	}
	h.clearCookie(c, session.CookieName, "/")
	return c.Redirect("/", fiber.StatusSeeOther)
}
