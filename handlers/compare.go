package handlers

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/compare"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/views"
)

func (h *Handler) compareSource() compare.Source {
	return compare.Source{DB: h.DB, Store: h.Store}
}

// showAll reads the ?all=1 switch of the compare page.
func showAll(c *fiber.Ctx) bool {
	switch c.Query("all") {
	case "1", "true", "on":
		return true
	}
	return false
}

// Compare is GET /compare/:left/:right (reference §7): the differences of
// two builds' opam switches, environments and system packages, as the page
// of product §3.1 or as the JSON of reference §7.6.
func (h *Handler) Compare(c *fiber.Ctx) error {
	left, right, err := comparedUUIDs(c)
	if err != nil {
		return err
	}
	c.Vary("Accept")
	res, err := h.compareSource().Compare(c.UserContext(), left, right)
	if err != nil {
		return h.compareError(c, err)
	}
	if WantsJSON(c) {
		return c.JSON(compareJSON(res))
	}
	all := showAll(c)
	page, err := h.comparePage(c.UserContext(), res, all)
	if err != nil {
		return err
	}
	return h.Views.Render(c, fiber.StatusOK, "compare", views.Page{
		Title:  "Comparing builds " + res.Left.Build.UUID + " and " + res.Right.Build.UUID,
		Crumbs: compareCrumbs(page),
		// htmx swaps the whole comparison (swap direction, picker, view
		// switch); the fragment also carries the title and breadcrumbs.
		Fragment: "compare_swap",
		Body:     page,
	})
}

func compareCrumbs(p *views.ComparePage) []views.Crumb {
	return []views.Crumb{views.Home, {
		Text: "Comparison between " + p.Left.Job + "@" + views.FormatTime(p.Left.Start) +
			" and " + p.Right.Job + "@" + views.FormatTime(p.Right.Start),
		URL: p.URL,
	}}
}

// compareError answers a build that lacks the compared files with a page
// that says so; the not-found page would only say "this page does not
// exist", which is wrong for a build that does.
func (h *Handler) compareError(c *fiber.Ctx, err error) error {
	var missing *compare.MissingInputError
	if errors.As(err, &missing) && !WantsJSON(c) {
		return h.Views.RenderError(c, views.Page{}, http.StatusNotFound, missing.Message())
	}
	return err
}

// CompareForm is GET /compare?left=&right=: the GET form of the build picker
// (and of the job page's A/B choice) redirects to the comparison's URL.
func (h *Handler) CompareForm(c *fiber.Ctx) error {
	var uuids [2]string
	for i, name := range []string{"left", "right"} {
		u, err := builder.ParseUUID(c.Query(name))
		if err != nil {
			return httperr.BadRequest("Bad uuid", err)
		}
		uuids[i] = builder.UUIDString(u)
	}
	return c.Redirect(views.CompareViewURL(uuids[0], uuids[1], showAll(c)), fiber.StatusFound)
}

// CompareOpamFile is GET /compare/:left/:right/opam/:package: one package's
// opam-file diff, which the compare page loads inline when it is opened.
// htmx gets the <pre> alone, a browser a page around it.
func (h *Handler) CompareOpamFile(c *fiber.Ctx) error {
	left, right, err := comparedUUIDs(c)
	if err != nil {
		return err
	}
	name, err := pathParam(c, "package")
	if err != nil {
		return err
	}
	c.Vary("Accept")
	res, err := h.compareSource().OpamFile(c.UserContext(), left, right, name)
	if err != nil {
		return h.compareError(c, err)
	}
	if WantsJSON(c) {
		return c.JSON(opamFileDiffJSON(res.FileDiff))
	}
	pkg := res.Package.String()
	back := views.CompareURL(left, right)
	return h.Views.Render(c, fiber.StatusOK, "compare_opam", views.Page{
		Title: "Opam file of " + pkg + ": comparing builds " + left + " and " + right,
		Crumbs: []views.Crumb{views.Home,
			{Text: "Comparison between " + res.Left.JobName + "@" + views.FormatTime(res.Left.Build.Start()) +
				" and " + res.Right.JobName + "@" + views.FormatTime(res.Right.Build.Start()), URL: back},
			{Text: "Opam file of " + pkg, URL: c.Path()},
		},
		Fragment: "opam_diff",
		Body:     views.CompareOpamFile{Package: pkg, Lines: diffLines(res.Diff), CompareURL: back},
	})
}

// comparedUUIDs reads the :left and :right UUIDs of a comparison URL.
func comparedUUIDs(c *fiber.Ctx) (left, right string, err error) {
	if left, err = uuidParam(c, "left"); err != nil {
		return "", "", err
	}
	if right, err = uuidParam(c, "right"); err != nil {
		return "", "", err
	}
	return left, right, nil
}
