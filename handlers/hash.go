package handlers

import (
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

// Hash is GET /hash?sha256=<hex> (reference §8): a 302 to the newest build
// having any artifact with that hash. albatross relies on this URL. A
// missing or non-hex hash is a 400, an unknown one a 404 (product §2.1).
func (h *Handler) Hash(c *fiber.Ctx) error {
	// The search box accepts surrounding blanks (pasted hashes).
	s := strings.TrimSpace(c.Query("sha256"))
	if s == "" {
		return httperr.BadRequest("Bad request: missing sha256", nil)
	}
	sha, err := hex.DecodeString(s)
	if err != nil {
		return httperr.BadRequest("Bad request: sha256 is not hex", err)
	}
	job, uuid, err := h.DB.NewestWithHash(c.UserContext(), sha)
	if err != nil {
		return lookupErr(err, "No artifact with this hash", "hash search")
	}
	return c.Redirect(views.BuildURL(job, uuid), fiber.StatusFound)
}
