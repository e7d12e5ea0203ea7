package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

// Latest is GET /job/:job/build/latest and /job/:job/build/latest/*
// (reference §6.4): a temporary redirect (302, product §2.2) to the same
// place under the job's newest successful build, optionally on ?platform=.
// The platform is not forwarded. albatross relies on this URL.
func (h *Handler) Latest(c *fiber.Ctx) error {
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	suffix, err := latestSuffix(c.Params("*"))
	if err != nil {
		return err
	}
	uuid, err := h.DB.LatestSuccessful(c.UserContext(), j.ID, c.Query("platform"))
	if err != nil {
		return lookupErr(err, "No successful build", "latest build of "+j.Name)
	}
	return c.Redirect(views.BuildURL(j.Name, uuid)+suffix, fiber.StatusFound)
}

// latestSuffix re-encodes the path after "latest/": each segment decoded and
// percent-encoded again, empty segments dropped (so "latest/" redirects to
// the build itself). ".." is refused: the target must stay under the build.
func latestSuffix(raw string) (string, error) {
	var b strings.Builder
	for _, seg := range strings.Split(raw, "/") {
		s, err := url.PathUnescape(seg)
		if err != nil {
			return "", httperr.BadRequest("Bad request: malformed path", err)
		}
		switch s {
		case "", ".":
			continue
		case "..":
			return "", httperr.BadRequest("Bad request: malformed path", nil)
		}
		b.WriteString("/" + url.PathEscape(s))
	}
	return b.String(), nil
}
