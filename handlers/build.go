package handlers

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

func resultJSON(r builder.Result) views.ResultJSON {
	if r.Kind == builder.Msg {
		return views.ResultJSON{Kind: r.Kind.String(), Msg: r.Msg}
	}
	code := r.Code
	return views.ResultJSON{Kind: r.Kind.String(), Code: &code}
}

// solo5Info reads the solo5 notes of a main binary; nil when a is nil, is no
// unikernel, or has no readable note.
func (h *Handler) solo5Info(a *db.BuildArtifact) *solo5.Info {
	if a == nil {
		return nil
	}
	var openErr error
	info, err := h.Solo5.Read(a.SHA256, func() (solo5.File, error) {
		f, err := h.Store.OpenArtifact(a.SHA256)
		if err != nil {
			openErr = err
			return nil, err // a nil *os.File must not become a non-nil File
		}
		return f, nil
	})
	// Most binaries are no unikernels. A missing file is the store's
	// trouble; malformed notes are the uploader's, remembered by the cache
	// and so seen on every view: only worth a debug line.
	switch {
	case h.Log == nil || err == nil || errors.Is(err, solo5.ErrNotSolo5):
	case openErr != nil:
		h.Log.Warn("opening main binary for its solo5 notes", "artifact", a.Filepath, "err", err)
	default:
		h.Log.Debug("malformed solo5 notes", "artifact", a.Filepath, "err", err)
	}
	return info
}

// loadBuild finds the build named by the :build parameter; the :job
// segment is ignored (reference §5, product.md §2.13).
func (h *Handler) loadBuild(c *fiber.Ctx) (*db.BuildInfo, error) {
	uuid, err := uuidParam(c, "build")
	if err != nil {
		return nil, err
	}
	b, err := h.DB.BuildByUUID(c.UserContext(), uuid)
	if err != nil {
		return nil, lookupErr(err, "Build not found", "load build "+uuid)
	}
	return b, nil
}

// Build is GET /job/:job/build/:build.
func (h *Handler) Build(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	res := builder.UnpackResult(b.Build.ResultCode, b.Build.ResultMsg)
	out := views.BuildJSON{
		Job:        b.JobName,
		UUID:       b.Build.UUID,
		Platform:   b.Build.Platform,
		StartTime:  views.FormatRFC3339JSON(b.Build.Start()),
		FinishTime: views.FormatRFC3339JSON(b.Build.Finish()),
		MainBinary: b.Build.MainBinary != nil,
		Result:     resultJSON(res),
	}
	info := h.solo5Info(b.Main)
	if info != nil {
		out.Solo5Manifest, out.Solo5ABI = info.Manifest, info.ABI
	}
	c.Vary("Accept")
	if WantsJSON(c) {
		standing, err := h.standing(c.UserContext(), b)
		if err != nil {
			return fmt.Errorf("build %s: %w", b.UUID, err)
		}
		out.Reproducibility = buildReproJSON(b, standing)
		if b.Main != nil {
			out.MainBinaryPath, out.MainBinarySHA256 = b.Main.Filepath, hex.EncodeToString(b.Main.SHA256)
		}
		arts, next, err := h.artifactPage(c, b)
		if err != nil {
			return err
		}
		out.Artifacts, out.ArtifactsNext = make([]views.ArtifactJSON, 0, len(arts)), next
		for _, a := range arts {
			out.Artifacts = append(out.Artifacts, views.ArtifactJSON{Path: a.Filepath, SHA256: hex.EncodeToString(a.SHA256), Size: a.Size})
		}
		return c.JSON(out)
	}
	return h.renderBuildPage(c, b, res, info)
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
