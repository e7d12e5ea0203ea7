package handlers

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/diffoscope"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// comparedBinaries loads the two builds of a comparison of binaries
// (diffoscope, sizes); both need a main binary.
func (h *Handler) comparedBinaries(c *fiber.Ctx) (l, r *db.BuildInfo, err error) {
	left, right, err := comparedUUIDs(c)
	if err != nil {
		return nil, nil, err
	}
	var builds [2]*db.BuildInfo
	for i, u := range []string{left, right} {
		b, err := h.DB.BuildByUUID(c.UserContext(), u)
		if err != nil {
			return nil, nil, lookupErr(err, "Build not found", "diffoscope: load build "+u)
		}
		if b.Main == nil {
			return nil, nil, httperr.NotFound("Build " + b.UUID + " has no main binary to compare")
		}
		builds[i] = b
	}
	return builds[0], builds[1], nil
}

// CompareBinaries is GET /compare/:left/:right/diffoscope: why the two builds'
// main binaries differ. The first request starts diffoscope in the
// background; the page shows its state (htmx polls the status fragment)
// and then the report. Identical binaries need no run.
func (h *Handler) CompareBinaries(c *fiber.Ctx) error {
	c.Vary("Accept", "HX-Request")
	l, r, err := h.comparedBinaries(c)
	if err != nil {
		return err
	}
	lsha, rsha := hex.EncodeToString(l.Main.SHA256), hex.EncodeToString(r.Main.SHA256)
	st, err := h.Diffoscope.Request(lsha, rsha, h.Store.ArtifactPath(l.Main.SHA256), h.Store.ArtifactPath(r.Main.SHA256))
	if errors.Is(err, diffoscope.ErrBusy) {
		c.Set(fiber.HeaderRetryAfter, "60")
		return httperr.New(http.StatusServiceUnavailable, "Too many comparisons are waiting, try again later", err)
	}
	if err != nil {
		return fmt.Errorf("diffoscope of %s and %s: %w", l.UUID, r.UUID, err)
	}
	url := views.CompareURL(l.UUID, r.UUID) + "/diffoscope"
	report := ""
	if st.State == diffoscope.Done {
		report = url + "/report"
	}
	if WantsJSON(c) {
		return c.JSON(views.DiffoscopeJSON{State: st.State, ReportURL: report, Seconds: math.Round(st.Seconds*10) / 10, Reason: st.Reason})
	}
	page := views.DiffoscopePage{
		Left: compareBuild(l), Right: compareBuild(r), CompareURL: views.CompareURL(l.UUID, r.UUID),
		URL: url, ReportURL: report, LeftSHA: lsha, RightSHA: rsha,
		State: string(st.State), Seconds: int(st.Seconds), Reason: st.Reason, Polling: !st.State.Finished(),
	}
	return h.Views.Render(c, fiber.StatusOK, "diffoscope", views.Page{
		Title:    "Why the binaries of " + l.UUID + " and " + r.UUID + " differ",
		Crumbs:   []views.Crumb{views.Home, {Text: "Comparison", URL: page.CompareURL}, {Text: "diffoscope", URL: url}},
		Fragment: "diffoscope_status",
		Body:     page,
	})
}

// DiffoscopeReport is GET /compare/:left/:right/diffoscope/report: the
// cached HTML report, sandboxed like every download (no script of it runs
// on our origin) but shown inline, since it is made to be read.
func (h *Handler) DiffoscopeReport(c *fiber.Ctx) error {
	l, r, err := h.comparedBinaries(c)
	if err != nil {
		return err
	}
	f, err := h.Diffoscope.OpenReport(hex.EncodeToString(l.Main.SHA256), hex.EncodeToString(r.Main.SHA256))
	if errors.Is(err, fs.ErrNotExist) {
		return httperr.NotFound("No diffoscope report for these builds yet")
	}
	if err != nil {
		return fmt.Errorf("diffoscope report of %s and %s: %w", l.UUID, r.UUID, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("diffoscope report of %s and %s: %w", l.UUID, r.UUID, err)
	}
	setSandbox(c, downloadPolicy)
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	if c.Method() == fiber.MethodHead {
		f.Close()
		return nil
	}
	// fasthttp closes the file after sending it.
	return c.SendStream(f, int(info.Size()))
}
