package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/views"
)

// maxVizQuery bounds the filter text: no package name is nearly as long.
const maxVizQuery = 200

// VizDependencies is GET /job/:job/build/:build/vizdependencies: the opam
// dependency graph of the build's opam-switch (keyed by its SHA-256).
// Ours is a page of the site: ?package=NAME selects a package (marked with
// its edges in the drawing, its details in the side panel; htmx gets the
// two, HX-Target viz-graph, or the panel alone, viz-panel), ?q= highlights
// the packages whose name contains it (htmx: only the drawing, HX-Target
// viz-figure). A file of the reference's tools is served as it
// is, sandboxed.
func (h *Handler) VizDependencies(c *fiber.Ctx) error {
	s, err := h.dependenciesSource(c)
	if err != nil {
		return err
	}
	v, err := h.loadViz(vizDependencies, s)
	if err != nil {
		return err
	}
	if !v.Ours {
		return h.sendForeign(c, v)
	}
	q := copyString(c.Query("q"))
	if len(q) > maxVizQuery {
		return httperr.BadRequest("The filter is too long.", nil)
	}
	vb, crumbs := vizPage(s, "Opam dependencies", "vizdependencies")
	page := views.VizGraphPage{VizBuild: vb, Query: q}
	link := func(name string) string {
		u := vb.URL + "?package=" + queryEscape(name)
		if q != "" {
			u += "&q=" + queryEscape(q)
		}
		return u
	}
	marks := map[string]string{}
	sel := ""
	if name := c.Query("package"); name != "" {
		p, err := h.Viz.Package(s.input.SHA256, name)
		if errors.Is(err, viz.ErrNoPackage) {
			return httperr.NotFound("This build's opam switch has no such package.")
		}
		if err != nil {
			return err
		}
		page.Package = &views.VizPackage{Name: p.Name, Version: p.Version, Opam: p.Opam, Query: q}
		for _, d := range p.Depends {
			page.Package.Depends = append(page.Package.Depends, views.VizLink{Name: d.Name, URL: link(d.Name), Build: d.Build})
			marks[d.Name] = "nb"
		}
		for _, d := range p.Dependents {
			page.Package.Dependents = append(page.Package.Dependents, views.VizLink{Name: d, URL: link(d)})
			marks[d] = "nb"
		}
		marks[p.Name] = "sel"
		sel = p.Name
	}
	fragment := "content"
	switch c.Get("HX-Target") {
	case "viz-graph":
		fragment = "viz_graph"
	case "viz-panel":
		fragment = "viz_panel"
	case "viz-figure":
		fragment = "viz_figure"
	}
	if fragment != "viz_panel" {
		names := v.Packages()
		page.Packages = len(names)
		for _, m := range viz.Matches(names, q) {
			page.Matches = append(page.Matches, views.VizLink{Name: m, URL: link(m)})
			marks[m] += " hit"
		}
		page.About = views.TrustedHTML(v.About())
		page.SVG = views.TrustedHTML(v.MarkedSVG(marks, sel))
	}
	title := "Opam dependencies of job " + s.build.JobName + " " + views.FormatTime(vb.Start)
	if page.Package != nil {
		title = page.Package.Name + " in the " + title
	}
	return h.Views.Render(c, fiber.StatusOK, "viz_dependencies", views.Page{
		Title: title, Crumbs: crumbs, Fragment: fragment, Body: page,
	})
}
