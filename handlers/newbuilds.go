package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

// NewBuilds is GET /new-builds?since=<id>[&job=<name>], polled by the front
// and job pages every 30 s (product §3.1): the "N new builds — show" banner
// when builds arrived after the page was made, else 204 so that htmx leaves
// the page alone. The list itself never moves; "show" reloads the page.
func (h *Handler) NewBuilds(c *fiber.Ctx) error {
	c.Vary("HX-Request", "HX-Current-URL")
	since, err := strconv.ParseInt(c.Query("since"), 10, 64)
	if err != nil || since < 0 {
		return httperr.BadRequest("Bad request: since must be a build id", err)
	}
	var jobID int64
	back := "/"
	if name := c.Query("job"); name != "" {
		j, err := h.DB.JobByName(c.UserContext(), name)
		if err != nil {
			return lookupErr(err, "Job not found", "new builds")
		}
		jobID, back = j.ID, views.JobURL(j.Name)
	}
	n, err := h.DB.CountBuildsSince(c.UserContext(), since, jobID)
	if err != nil {
		return fmt.Errorf("new builds: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if n == 0 {
		return c.SendStatus(fiber.StatusNoContent)
	}
	if u := sameSitePath(c.Get("HX-Current-URL")); u != "" {
		back = u
	}
	return h.Views.RenderFragment(c, fiber.StatusOK, "front", "new_builds",
		views.Page{Body: views.NewBuilds{Count: n, URL: back}})
}

// sameSitePath keeps the path and query of a URL htmx reports as the
// current page; anything that is not a local path is dropped.
func sameSitePath(s string) string {
	u, err := url.Parse(s)
	if s == "" || err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}
