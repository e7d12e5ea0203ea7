package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

// VizTreemap is GET /job/:job/build/:build/viztreemap: the size treemap of
// the main binary, keyed by the SHA-256 of its debug binary, or of the main
// binary itself when there is no debug binary (it may carry symbols). Ours
// is a page of the site: ?lib=NAME zooms into a library's modules (htmx
// gets only the map, HX-Target viz-map); a table lists every size. A file
// of the reference's tools is served as it is, sandboxed.
func (h *Handler) VizTreemap(c *fiber.Ctx) error {
	s, err := h.treemapSourceOf(c)
	if err != nil {
		return err
	}
	v, err := h.loadViz(vizTreemap, s)
	if err != nil {
		return err
	}
	if !v.Ours {
		return h.sendForeign(c, v)
	}
	vb, crumbs := vizPage(s, "Binary dissection", "viztreemap")
	page := views.VizTreemapPage{VizBuild: vb, About: views.TrustedHTML(v.About())}
	svg := v.SVG()
	if lib := c.Query("lib"); lib != "" {
		var ok bool
		if svg, ok = v.Library(lib); !ok {
			return httperr.NotFound("This treemap has no library of that name with modules of its own.")
		}
		page.Library = copyString(lib)
	}
	page.SVG = views.TrustedHTML(svg)
	fragment := "content"
	if c.Get("HX-Target") == "viz-map" {
		fragment = "viz_map"
	} else {
		page.Table = views.TrustedHTML(v.Table())
	}
	title := "Binary dissection of job " + s.build.JobName + " " + views.FormatTime(vb.Start)
	if page.Library != "" {
		title = page.Library + " in the " + title
	}
	return h.Views.Render(c, fiber.StatusOK, "viz_treemap", views.Page{
		Title: title, Crumbs: crumbs, Fragment: fragment, Body: page,
	})
}
