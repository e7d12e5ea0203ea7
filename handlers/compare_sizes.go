package handlers

import (
	"errors"
	"fmt"
	"math"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// compareSizeRows bounds the rows of the sizes comparison: the largest
// changes say what happened; a full list of thousands of modules does not.
const compareSizeRows = 100

// CompareSizes is GET /compare/:left/:right/sizes (issue 13): which
// libraries and modules of the two main binaries grew or shrank, largest
// change first, from the same symbols as the size treemap (the debug
// binary, else the main binary). The compare page loads it lazily.
func (h *Handler) CompareSizes(c *fiber.Ctx) error {
	c.Vary("Accept", "HX-Request")
	l, r, err := h.comparedBinaries(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var sizes [2]*viz.Sizes
	available := true
	for i, b := range []*db.BuildInfo{l, r} {
		src, err := h.treemapSource(ctx, b)
		if err != nil {
			return fmt.Errorf("sizes of %s: %w", b.UUID, err)
		}
		sizes[i], err = h.Viz.Sizes(src.SHA256)
		if errors.Is(err, viz.ErrUnusable) {
			available = false
			break
		}
		if err != nil {
			return fmt.Errorf("sizes of %s: %w", b.UUID, err)
		}
	}
	var deltas []viz.Delta
	if available {
		deltas = viz.CompareSizes(sizes[0], sizes[1])
	}
	truncated := len(deltas) > compareSizeRows
	deltas = deltas[:min(len(deltas), compareSizeRows)]
	if WantsJSON(c) {
		out := views.CompareSizesJSON{Available: available, Sizes: []views.SizeDeltaJSON{}}
		for _, d := range deltas {
			out.Sizes = append(out.Sizes, views.SizeDeltaJSON{Library: d.Library, Module: d.Module, Left: d.Left,
				Right: d.Right, Change: d.Change(), Percent: math.Round(d.Percent()*10) / 10})
		}
		return c.JSON(out)
	}
	url := views.CompareURL(l.UUID, r.UUID)
	page := views.CompareSizesPage{Left: compareBuild(l), Right: compareBuild(r), CompareURL: url,
		Available: available, Truncated: truncated}
	for _, d := range deltas {
		page.Rows = append(page.Rows, views.SizeRow{Library: d.Library, Module: d.Module,
			Left: views.FormatSize(d.Left), Right: views.FormatSize(d.Right),
			Change: views.FormatSignedSize(d.Change()), Percent: fmt.Sprintf("%+.1f %%", d.Percent()),
			Grew: d.Change() > 0})
	}
	return h.Views.Render(c, fiber.StatusOK, "compare_sizes", views.Page{
		Title:    "Sizes of the binaries of " + l.UUID + " and " + r.UUID,
		Crumbs:   []views.Crumb{views.Home, {Text: "Comparison", URL: url}, {Text: "Sizes", URL: url + "/sizes"}},
		Fragment: "compare_sizes_table",
		Body:     page,
	})
}
