package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/db"
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

// buildCrumbs are the breadcrumbs of a build and the pages below it
// (reference §6.0): Home / Job <name> / on <platform> / Build <start>.
func buildCrumbs(b *db.BuildInfo) []views.Crumb {
	job := views.JobURL(b.JobName)
	return []views.Crumb{views.Home,
		{Text: "Job " + b.JobName, URL: job},
		{Text: "on " + b.Platform, URL: job + "?platform=" + queryEscape(b.Platform)},
		{Text: "Build " + views.FormatTime(b.Start()), URL: views.BuildURL(b.JobName, b.UUID)},
	}
}

// buildPageArtifacts is how many artifacts the build page lists at once: a
// build may have tens of thousands, which would make a page of megabytes.
// The rest load on demand, the next ones after the last shown.
const buildPageArtifacts = 200

// artifactsAfterQuery parses ?artifacts_after=, the id of the last artifact
// shown before (0: none); a malformed one is a 400.
func artifactsAfterQuery(c *fiber.Ctx) (int64, error) {
	s := c.Query("artifacts_after")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, httperr.BadRequest("Bad artifacts_after", err)
	}
	return n, nil
}

// artifactPage is the slice of a build's artifacts that ?artifacts_after=
// asks for, at most buildPageArtifacts of them, and the URL of the next
// slice ("" when none follow). The page and its JSON list the same slice.
func (h *Handler) artifactPage(c *fiber.Ctx, b *db.BuildInfo) ([]db.BuildArtifact, string, error) {
	after, err := artifactsAfterQuery(c)
	if err != nil {
		return nil, "", err
	}
	// One more than shown tells whether more follow.
	arts, err := h.DB.ArtifactsAfter(c.UserContext(), b.ID, after, buildPageArtifacts+1)
	if err != nil {
		return nil, "", fmt.Errorf("load artifacts of %s: %w", b.UUID, err)
	}
	if len(arts) <= buildPageArtifacts {
		return arts, "", nil
	}
	arts = arts[:buildPageArtifacts]
	return arts, views.BuildURL(b.JobName, b.UUID) + "?artifacts_after=" + strconv.FormatInt(arts[len(arts)-1].ID, 10), nil
}

// renderBuildPage renders the build page; info is what the main binary's
// solo5 notes say (nil: nothing). With ?artifacts_after= it lists the
// artifacts that follow; htmx then gets only those rows ("load more").
func (h *Handler) renderBuildPage(c *fiber.Ctx, b *db.BuildInfo, res builder.Result, info *solo5.Info) error {
	ctx := c.UserContext()
	arts, more, err := h.artifactPage(c, b)
	if err != nil {
		return err
	}
	after, _ := artifactsAfterQuery(c) // checked by artifactPage
	url := views.BuildURL(b.JobName, b.UUID)
	page := views.BuildPage{URL: url, Later: after > 0, MoreArtifactsURL: more}
	for _, a := range arts {
		main := b.Main != nil && b.Main.ID == a.ID
		va := views.Artifact{Path: a.Filepath, SHA256: a.SHA256, Size: a.Size, Main: main}
		if main && info != nil && info.Manifest != nil {
			va.Devices = info.Manifest.DevicesLine()
		}
		page.Artifacts = append(page.Artifacts, va)
	}
	if after > 0 && views.IsFragmentRequest(c) {
		return h.Views.RenderFragment(c, fiber.StatusOK, "build", "artifact_rows", views.Page{Body: page})
	}

	if page.ArtifactCount, err = h.DB.CountArtifacts(ctx, b.ID); err != nil {
		return fmt.Errorf("build page of %s: %w", b.UUID, err)
	}
	// Visualizations only where one is cached or can be drawn, and not
	// for failed builds (no main binary), so the page has no empty box.
	if b.Main != nil {
		src, err := h.treemapSource(ctx, b)
		if err != nil {
			return fmt.Errorf("build page of %s: %w", b.UUID, err)
		}
		page.Treemap, page.TreemapFrame = vizPreview(h.Viz.PreviewTreemap(src.SHA256, views.Hex(src.SHA256)))
		sw, err := h.DB.ArtifactByPath(ctx, b.UUID, db.OpamSwitch)
		switch {
		case err == nil:
			page.Dependencies, page.DependenciesFrame = vizPreview(h.Viz.PreviewDependencies(sw.SHA256, views.Hex(sw.SHA256)))
		case !errors.Is(err, db.ErrNotFound):
			return fmt.Errorf("build page of %s: %w", b.UUID, err)
		}
	}
	standing, err := h.standing(ctx, b)
	if err != nil {
		return fmt.Errorf("build page of %s: %w", b.UUID, err)
	}
	nb, err := h.DB.Neighbours(ctx, b)
	if err != nil {
		return fmt.Errorf("build page of %s: %w", b.UUID, err)
	}

	start := b.Start()
	page.Job = b.JobName
	page.UUID = b.UUID
	page.JobURL = views.JobURL(b.JobName)
	page.PlatformURL = views.JobURL(b.JobName) + "?platform=" + queryEscape(b.Platform)
	page.Platform = b.Platform
	page.Start = start
	page.Finish = b.Finish()
	page.Duration = b.Finish().Sub(start)
	page.Result = viewResult(res)
	page.Successful = b.Main != nil

	link := func(label string, r db.BuildRef, url string) views.BuildLink {
		l := views.BuildLink{Label: label, Platform: r.Platform, Start: r.Start, URL: url}
		if r.JobName != b.JobName {
			l.Job = r.JobName
		}
		return l
	}
	if b.Main != nil {
		page.Repro = buildRepro(b, standing)
	}
	for _, n := range []struct {
		label string
		ref   *db.BuildRef
	}{
		{"Latest build", nb.Latest},
		{"Later build with different output", nb.Next},
		{"Earlier build with different output", nb.Previous},
	} {
		// A failed build has no output to differ from (issue 12).
		if b.Main == nil && n.ref != nb.Latest {
			continue
		}
		if n.ref != nil && n.ref.UUID != b.UUID {
			page.Comparisons = append(page.Comparisons, link(n.label, *n.ref, views.CompareURL(n.ref.UUID, b.UUID)))
		}
	}

	return h.Views.Render(c, fiber.StatusOK, "build", views.Page{
		Title:  "Job " + b.JobName + " " + views.FormatTime(start),
		Crumbs: buildCrumbs(b),
		Body:   page,
	})
}
