package handlers

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// BuildURL is the canonical link of a build, with the job's real name.
func BuildURL(job, uuid string) string {
	return "/job/" + views.PathEscape(job) + "/build/" + uuid
}

// CompareURL is the comparison of two builds, left first.
func CompareURL(left, right string) string {
	return "/compare/" + left + "/" + right
}

func jobURL(job string) string { return "/job/" + views.PathEscape(job) }

func viewResult(r builder.Result) views.Result {
	return views.Result{OK: r.Kind == builder.Exited && r.Code == 0, Text: r.String()}
}

func (h *Handler) renderNotFound(c *fiber.Ctx) error {
	return h.Views.NotFound(c, views.Page{})
}

// buildCrumbs are the breadcrumbs of a build and the pages below it
// (reference §6.0): Home / Job <name> / on <platform> / Build <start>.
func buildCrumbs(b *db.BuildInfo) []views.Crumb {
	job := jobURL(b.JobName)
	return []views.Crumb{views.Home,
		{Text: "Job " + b.JobName, URL: job},
		{Text: "on " + b.Platform, URL: job + "?platform=" + queryEscape(b.Platform)},
		{Text: "Build " + views.FormatTime(b.Start()), URL: BuildURL(b.JobName, b.UUID)},
	}
}

// renderBuildPage renders the build page; info is what the main binary's
// solo5 notes say (nil: nothing).
func (h *Handler) renderBuildPage(c *fiber.Ctx, b *db.BuildInfo, res builder.Result, info *solo5.Info) error {
	ctx := c.UserContext()
	arts, err := h.DB.Artifacts(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("load artifacts of %s: %w", b.UUID, err)
	}
	repro, err := h.DB.Reproducibility(ctx, b)
	if err != nil {
		return fmt.Errorf("build page of %s: %w", b.UUID, err)
	}
	nb, err := h.DB.Neighbours(ctx, b)
	if err != nil {
		return fmt.Errorf("build page of %s: %w", b.UUID, err)
	}

	start := b.Start()
	page := views.BuildPage{
		Job:         b.JobName,
		UUID:        b.UUID,
		URL:         BuildURL(b.JobName, b.UUID),
		JobURL:      jobURL(b.JobName),
		PlatformURL: jobURL(b.JobName) + "?platform=" + queryEscape(b.Platform),
		Platform:    b.Platform,
		Start:       start,
		Finish:      b.Finish(),
		Duration:    b.Finish().Sub(start),
		Result:      viewResult(res),
		Successful:  b.Main != nil,
	}
	for _, a := range arts {
		main := b.Main != nil && b.Main.ID == a.ID
		va := views.Artifact{Path: a.Filepath, SHA256: a.SHA256, Size: a.Size, Main: main}
		if main && info != nil && info.Manifest != nil {
			va.Devices = info.Manifest.DevicesLine()
		}
		page.Artifacts = append(page.Artifacts, va)
		if b.Main != nil && !main && db.IsDebugArtifact(a.Filepath, b.Main.Filepath) {
			page.Treemap = true
		}
	}

	// Same input: link to the build, which is an exact reproduction.
	// Anything else: link to the comparison, which shows what differs.
	link := func(label string, r db.BuildRef, url string) views.BuildLink {
		l := views.BuildLink{Label: label, Platform: r.Platform, Start: r.Start, URL: url}
		if r.JobName != b.JobName {
			l.Job = r.JobName
		}
		return l
	}
	for _, r := range repro.SameInputSameOutput {
		page.ReproducedBy = append(page.ReproducedBy, link("same input", r, BuildURL(r.JobName, r.UUID)))
	}
	for _, r := range repro.DifferentInputSameOutput {
		page.ReproducedBy = append(page.ReproducedBy, link("different input", r, CompareURL(r.UUID, b.UUID)))
	}
	for _, r := range repro.SameInputDifferentOutput {
		page.NotReproducible = append(page.NotReproducible, link("", r, CompareURL(r.UUID, b.UUID)))
	}
	for _, n := range []struct {
		label string
		ref   *db.BuildRef
	}{
		{"Latest build", nb.Latest},
		{"Later build with different output", nb.Next},
		{"Earlier build with different output", nb.Previous},
	} {
		if n.ref != nil && n.ref.UUID != b.UUID {
			page.Comparisons = append(page.Comparisons, link(n.label, *n.ref, CompareURL(n.ref.UUID, b.UUID)))
		}
	}
	page.Mark = reproMark(b, repro)

	return h.Views.Render(c, fiber.StatusOK, "build", views.Page{
		Title:  "Job " + b.JobName + " " + views.FormatTime(start),
		Crumbs: buildCrumbs(b),
		Body:   page,
	})
}

// reproMark is the verdict of product.md §3.4. Only a build from the same
// input proves anything: the same binary from another input is a
// coincidence worth listing, not a reproduction.
func reproMark(b *db.BuildInfo, r *db.Reproducibility) views.ReproMark {
	switch {
	case b.Main == nil:
		return views.ReproMark{Verdict: views.Unverified, Why: "The build has no main binary."}
	case len(r.SameInputDifferentOutput) > 0:
		return views.ReproMark{Verdict: views.NotReproducible,
			Why: plural(len(r.SameInputDifferentOutput), "other output") + " from the same input."}
	case len(r.SameInputSameOutput) > 0:
		return views.ReproMark{Verdict: views.Reproducible,
			Why: "The same main binary was built from the same input by " + plural(len(r.SameInputSameOutput), "other build") + "."}
	case len(b.InputID) == 0:
		return views.ReproMark{Verdict: views.Unverified,
			Why: "The build's input (opam-switch, build-environment, system-packages) is incomplete."}
	}
	return views.ReproMark{Verdict: views.Unverified, Why: "No other build from the same input yet."}
}

func plural(n int, noun string) string {
	s := strconv.Itoa(n) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}
