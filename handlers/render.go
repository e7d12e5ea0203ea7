package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/views"
)

func viewResult(r builder.Result) views.Result {
	return views.Result{OK: r.Kind == builder.Exited && r.Code == 0, Text: r.String()}
}

func (h *Handler) renderNotFound(c *fiber.Ctx) error {
	return h.Views.NotFound(c, views.Page{Body: views.NotFound{Jobs: h.similarJobs(c)}})
}

// similarJobSuggestions bounds the 404 page's list of similar jobs.
const similarJobSuggestions = 5

// similarJobs are jobs named like the unknown one in a /job/<name> path:
// those sharing the longest prefix with it (at least two bytes). A few
// indexed prefix lookups, so a 404 stays cheap.
func (h *Handler) similarJobs(c *fiber.Ctx) []views.Crumb {
	rest, ok := strings.CutPrefix(c.Path(), "/job/")
	if !ok {
		return nil
	}
	name, _, _ := strings.Cut(rest, "/")
	name, err := url.PathUnescape(name)
	if err != nil || name == "" {
		return nil
	}
	name = name[:min(len(name), 64)]
	for n := len(name); n >= 2; n = min(n-1, n*3/4) {
		names, err := h.DB.JobNamesWithPrefix(c.UserContext(), name[:n], similarJobSuggestions)
		if err != nil {
			if h.Log != nil {
				h.Log.Warn("404 page: similar jobs", "err", err)
			}
			return nil
		}
		if len(names) > 0 {
			out := make([]views.Crumb, 0, len(names))
			for _, j := range names {
				out = append(out, views.Crumb{Text: j, URL: views.JobURL(j)})
			}
			return out
		}
	}
	return nil
}
