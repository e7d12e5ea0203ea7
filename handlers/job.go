package handlers

import (
	"encoding/hex"
	"fmt"
	"html/template"
	"path"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/markdown"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// jobPageRows is how many rows the job page shows at a time (product §3.1).
const jobPageRows = 50

// Job is GET /job/:job: one entry per distinct output (reference §6.3).
func (h *Handler) Job(c *fiber.Ctx) error { return h.job(c, false) }

// JobFailed is GET /job/:job/failed: the same merged with failed builds.
func (h *Handler) JobFailed(c *fiber.Ctx) error { return h.job(c, true) }

// loadJob finds the job named by the :job parameter.
func (h *Handler) loadJob(c *fiber.Ctx) (*db.Job, error) {
	name, err := pathParam(c, "job")
	if err != nil {
		return nil, err
	}
	j, err := h.DB.JobByName(c.UserContext(), name)
	if err != nil {
		return nil, lookupErr(err, "Job not found", fmt.Sprintf("load job %q", name))
	}
	return j, nil
}

// cursorQuery parses the ?cursor= of a list; a malformed one is a 400.
func cursorQuery(c *fiber.Ctx) (*db.Cursor, error) {
	s := c.Query("cursor")
	if s == "" {
		return nil, nil
	}
	cur, err := db.ParseCursor(s)
	if err != nil {
		return nil, httperr.BadRequest("Bad cursor", err)
	}
	return &cur, nil
}

// limitQuery parses ?limit= (JSON lists): 0 when absent, 400 unless positive.
func limitQuery(c *fiber.Ctx) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, httperr.BadRequest("Bad limit: want a positive integer", err)
	}
	return n, nil
}

func mainBinaryJSON(a *db.BuildArtifact) *views.MainBinaryJSON {
	if a == nil {
		return nil
	}
	return &views.MainBinaryJSON{Filename: path.Base(a.Filepath), SHA256: hex.EncodeToString(a.SHA256), Size: a.Size}
}

func (h *Handler) job(c *fiber.Ctx, failed bool) error {
	c.Vary("Accept", "HX-Request")
	ctx := c.UserContext()
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	after, err := cursorQuery(c)
	if err != nil {
		return err
	}
	platform := copyString(c.Query("platform"))
	q := db.JobQuery{JobID: j.ID, Platform: platform, Failed: failed, After: after, Limit: jobPageRows}

	if WantsJSON(c) {
		if q.Limit, err = limitQuery(c); err != nil {
			return err
		}
		entries, next, err := h.DB.JobEntries(ctx, q)
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		marks, err := h.reproMarks(ctx, entryIDs(entries))
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		out := views.JobJSON{Builds: make([]views.JobBuildJSON, 0, len(entries))}
		for _, e := range entries {
			jb := jobBuildJSON(&e.BuildInfo, e.Count)
			m, ok := marks[e.UUID]
			jb.Reproducibility = rowReproJSON(m, ok)
			out.Builds = append(out.Builds, jb)
		}
		if next != nil {
			out.NextCursor = next.String()
		}
		return c.JSON(out)
	}

	entries, next, err := h.DB.JobEntries(ctx, q)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	marks, err := h.reproMarks(ctx, entryIDs(entries))
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	base := views.JobURL(j.Name)
	if failed {
		base += "/failed"
	}
	page := views.JobPage{Job: j.Name, URL: views.JobURL(j.Name), Platform: platform, Failed: failed}
	for _, e := range entries {
		row := buildRow(&e.BuildInfo)
		row.Count = e.Count
		m, ok := marks[e.UUID]
		row.Repro = rowRepro(j.Name, m, ok)
		if e.Main != nil && e.Count > 1 {
			row.OutputURL = views.JobURL(j.Name) + "/output/" + hex.EncodeToString(e.Main.SHA256) + platformQuery("?", platform)
		}
		page.Rows = append(page.Rows, row)
	}
	if next != nil {
		page.NextURL = base + "?" + platformQuery("", platform) + "cursor=" + next.String()
	}
	// More rows for the infinite scroll: only the rows.
	if after != nil && views.IsFragmentRequest(c) {
		return h.Views.RenderFragment(c, fiber.StatusOK, "job", "job_rows", views.Page{Body: page})
	}

	tags, err := h.DB.JobTags(ctx, j.ID)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	if src, ok := tags[db.TagReadme]; ok {
		html, err := markdown.Render([]byte(src), 2)
		if err != nil {
			return fmt.Errorf("job %s: render README: %w", j.Name, err)
		}
		page.Readme = template.HTML(html) // markdown.Render is safe: raw HTML is omitted
	}
	platforms, err := h.DB.JobPlatforms(ctx, j.ID)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	page.Platforms = append(page.Platforms, views.Chip{Text: "All platforms", URL: base, Active: platform == ""})
	for _, p := range platforms {
		page.Platforms = append(page.Platforms, views.Chip{Text: p, Value: p, URL: base + platformQuery("?", p), Active: p == platform})
	}
	if failed {
		page.ToggleURL = views.JobURL(j.Name) + platformQuery("?", platform)
	} else {
		page.ToggleURL = views.JobURL(j.Name) + "/failed" + platformQuery("?", platform)
	}
	since, err := h.DB.MaxBuildID(ctx)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	page.NewBuildsURL = views.NewBuildsURL(since, j.Name)

	title := "Job " + j.Name
	crumbs := []views.Crumb{views.Home, {Text: "Job " + j.Name, URL: views.JobURL(j.Name)}}
	if platform != "" {
		title += " on " + platform
		crumbs = append(crumbs, views.Crumb{Text: "on " + platform, URL: views.JobURL(j.Name) + platformQuery("?", platform)})
	}
	return h.Views.Render(c, fiber.StatusOK, "job", views.Page{Title: title, Crumbs: crumbs, Body: page})
}

// platformQuery is "platform=<p>" behind sep ("?" or "&"), or with sep ""
// followed by "&"; nothing when p is empty.
func platformQuery(sep, p string) string {
	if p == "" {
		return ""
	}
	if sep == "" {
		return "platform=" + queryEscape(p) + "&"
	}
	return sep + "platform=" + queryEscape(p)
}

// buildRow is a build as the lists show it.
func buildRow(b *db.BuildInfo) views.BuildRow {
	url := views.BuildURL(b.JobName, b.UUID)
	row := views.BuildRow{
		Job:         b.JobName,
		JobURL:      views.JobURL(b.JobName),
		UUID:        b.UUID,
		URL:         url,
		Platform:    b.Platform,
		PlatformURL: views.JobURL(b.JobName) + platformQuery("?", b.Platform),
		Start:       b.Start(),
		Duration:    b.Finish().Sub(b.Start()),
		Result:      viewResult(builder.UnpackResult(b.ResultCode, b.ResultMsg)),
		Count:       1,
	}
	if b.Main != nil {
		row.Binary = &views.Binary{
			Name:   path.Base(b.Main.Filepath),
			URL:    url + "/f/" + views.PathEscape(b.Main.Filepath),
			SHA256: b.Main.SHA256,
			Size:   b.Main.Size,
		}
	}
	row.Format(time.Now())
	return row
}

// JobOutput is GET /job/:job/output/:sha256: the builds of the job whose
// main binary has this hash (the job page's "built N times", expanded in
// place by htmx).
func (h *Handler) JobOutput(c *fiber.Ctx) error {
	c.Vary("HX-Request")
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	sha, err := hex.DecodeString(c.Params("sha256"))
	if err != nil || len(sha) != 32 {
		return httperr.BadRequest("Bad request: sha256 must be 64 hex digits", err)
	}
	platform := copyString(c.Query("platform"))
	builds, err := h.DB.OutputBuilds(c.UserContext(), j.ID, sha, platform)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	if len(builds) == 0 {
		return httperr.NotFound("No such output")
	}
	c.Vary("Accept")
	if WantsJSON(c) {
		// Every build of the output, in the job JSON's shape: what a
		// mirror (builder-db pull) needs beyond the job's one entry.
		out := views.JobJSON{Builds: make([]views.JobBuildJSON, 0, len(builds))}
		for i := range builds {
			out.Builds = append(out.Builds, jobBuildJSON(&builds[i], len(builds)))
		}
		return c.JSON(out)
	}
	page := views.OutputPage{Job: j.Name, URL: views.JobURL(j.Name), SHA256: sha}
	for i := range builds {
		page.Rows = append(page.Rows, buildRow(&builds[i]))
	}
	return h.Views.Render(c, fiber.StatusOK, "job_output", views.Page{
		Title:    "Job " + j.Name + ": builds of " + views.ShortHash(hex.EncodeToString(sha)),
		Crumbs:   []views.Crumb{views.Home, {Text: "Job " + j.Name, URL: views.JobURL(j.Name)}},
		Fragment: "output_list",
		Body:     page,
	})
}

// jobBuildJSON is one build in the job JSON's shape; count is how many
// builds produced its main binary.
func jobBuildJSON(b *db.BuildInfo, count int) views.JobBuildJSON {
	return views.JobBuildJSON{
		UUID:       b.UUID,
		MainBinary: mainBinaryJSON(b.Main),
		Platform:   b.Platform,
		StartTime:  views.FormatRFC3339JSON(b.Start()),
		FinishTime: views.FormatRFC3339JSON(b.Finish()),
		Result:     resultJSON(builder.UnpackResult(b.ResultCode, b.ResultMsg)),
		Builds:     count,
	}
}
