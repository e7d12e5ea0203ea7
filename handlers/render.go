package handlers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// BuildURL is the canonical link of a build, with the job's real name.
func BuildURL(job, uuid string) string {
	return "/job/" + views.PathEscape(job) + "/build/" + uuid
}

func viewResult(r builder.Result) views.Result {
	return views.Result{OK: r.Kind == builder.Exited && r.Code == 0, Text: r.String()}
}

func (h *Handler) renderNotFound(c *fiber.Ctx) error {
	return h.Views.NotFound(c, views.Page{})
}

func (h *Handler) renderBuildPage(c *fiber.Ctx, b *db.BuildInfo, res builder.Result) error {
	arts, err := h.DB.Artifacts(c.UserContext(), b.Build.ID)
	if err != nil {
		return fmt.Errorf("load artifacts of %s: %w", b.Build.UUID, err)
	}
	start := b.Build.Start()
	page := views.BuildPage{
		Job:      b.JobName,
		UUID:     b.Build.UUID,
		URL:      BuildURL(b.JobName, b.Build.UUID),
		Platform: b.Build.Platform,
		Start:    start,
		Duration: b.Build.Finish().Sub(start),
		Result:   viewResult(res),
	}
	for _, a := range arts {
		main := b.Build.MainBinary != nil && *b.Build.MainBinary == a.ID
		page.Artifacts = append(page.Artifacts, views.Artifact{Path: a.Filepath, SHA256: a.SHA256, Size: a.Size, Main: main})
	}
	jobURL := "/job/" + views.PathEscape(b.JobName)
	return h.Views.Render(c, fiber.StatusOK, "build", views.Page{
		Title: "Job " + b.JobName + " " + views.FormatTime(start),
		Crumbs: []views.Crumb{views.Home,
			{Text: "Job " + b.JobName, URL: jobURL},
			{Text: "on " + b.Build.Platform, URL: jobURL + "?platform=" + queryEscape(b.Build.Platform)},
			{Text: "Build " + views.FormatTime(start), URL: page.URL},
		},
		Body: page,
	})
}
