package handlers

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/repro"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// reproPageInputs is how many input ids the per-job view shows at a time.
const reproPageInputs = 50

// reproRecent is the window of the site view's "last 30 days" column.
const reproRecent = 30 * 24 * time.Hour

// reproBuilds turns the database rows into the model's builds.
// job names the rows' job where the query did not (r.Job empty).
func reproBuilds(job string, rows []db.ReproBuild) []repro.Build {
	out := make([]repro.Build, 0, len(rows))
	for _, r := range rows {
		j := r.Job
		if j == "" {
			j = job
		}
		out = append(out, repro.Build{UUID: r.UUID, Job: j, Platform: r.Platform,
			InputID: hex.EncodeToString(r.InputID), Output: hex.EncodeToString(r.SHA256),
			Uploader: r.Uploader, Start: r.Start})
	}
	return out
}

// offsetQuery parses ?cursor= of the per-job view: how many inputs were
// already shown.
func offsetQuery(c *fiber.Ctx) (int, error) {
	s := c.Query("cursor")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, httperr.BadRequest("Bad cursor", err)
	}
	return n, nil
}

// JobReproducibility is GET /job/:job/reproducibility: per platform, every
// input id (newest first) with its outputs and verdict.
func (h *Handler) JobReproducibility(c *fiber.Ctx) error {
	c.Vary("Accept", "HX-Request")
	ctx := c.UserContext()
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	offset, err := offsetQuery(c)
	if err != nil {
		return err
	}
	query := strings.ToLower(strings.TrimSpace(c.Query("q")))
	limit := reproPageInputs
	if WantsJSON(c) {
		if limit, err = limitQuery(c); err != nil {
			return err
		}
	}
	pg, err := h.jobReproPage(ctx, j, offset, limit, query)
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	sum, next, previous := pg.sum, pg.next, pg.previous

	if WantsJSON(c) {
		out := views.JobReproJSON{Job: j.Name, Platforms: []views.ReproPlatformJSON{}, Summary: sum, NextCursor: next}
		for _, g := range pg.groups {
			if n := len(out.Platforms); n == 0 || out.Platforms[n-1].Platform != g.Platform {
				out.Platforms = append(out.Platforms, views.ReproPlatformJSON{Platform: g.Platform})
			}
			in := views.ReproInputJSON{InputID: g.InputID, Verdict: g.Verdict}
			for _, o := range g.Outputs {
				in.Outputs = append(in.Outputs, views.ReproOutputJSON{SHA256: o.SHA256, Builds: o.Builds,
					Uploaders: o.Uploaders, FirstUUID: o.First.UUID, LatestUUID: o.Latest.UUID})
			}
			p := &out.Platforms[len(out.Platforms)-1]
			p.Inputs = append(p.Inputs, in)
		}
		return c.JSON(out)
	}

	url := views.JobURL(j.Name) + "/reproducibility"
	page := views.JobReproPage{Job: j.Name, JobURL: views.JobURL(j.Name), URL: url, Query: copyString(c.Query("q")),
		Summary: reproSummaryView(sum)}
	for i, g := range pg.groups {
		in := views.ReproInput{Platform: g.Platform, InputID: g.InputID, Verdict: reproVerdictView(g.Verdict),
			Builds: g.Builds, First: g.First, Latest: g.Latest}
		if i == 0 || pg.groups[i-1].Platform != g.Platform {
			in.PlatformStart = true
		}
		if prev, ok := previous[[2]string{g.Platform, g.InputID}]; ok {
			in.CompareURL = views.CompareURL(prev, g.Outputs[0].Latest.UUID)
		}
		for _, o := range g.Outputs {
			in.Outputs = append(in.Outputs, views.ReproOutput{SHA256: o.SHA256, Builds: o.Builds,
				Uploaders: strings.Join(o.Uploaders, ", "), Independent: o.Independent(),
				FirstURL: views.BuildURL(j.Name, o.First.UUID), LatestURL: views.BuildURL(j.Name, o.Latest.UUID),
				First: o.First.Start, Latest: o.Latest.Start})
		}
		page.Inputs = append(page.Inputs, in)
	}
	if next != "" {
		page.NextURL = url + "?"
		if query != "" {
			page.NextURL += "q=" + queryEscape(query) + "&"
		}
		page.NextURL += "cursor=" + next
	}
	if offset > 0 && views.IsFragmentRequest(c) {
		return h.Views.RenderFragment(c, fiber.StatusOK, "job_repro", "repro_rows", views.Page{Body: page})
	}
	// The filter box gets the summary and table ("repro_inputs").
	return h.Views.Render(c, fiber.StatusOK, "job_repro", views.Page{
		Title:    "Reproducibility of job " + j.Name,
		Crumbs:   []views.Crumb{views.Home, {Text: "Job " + j.Name, URL: views.JobURL(j.Name)}, {Text: "Reproducibility", URL: url}},
		Fragment: "repro_inputs",
		Body:     page,
	})
}

// jobReproPage is one page of the per-job view: its groups (by platform,
// newest first) with their outputs, the summary of all (matching) groups,
// the cursor of the next page and, per group, the newest build of the
// previous (older) input of its platform.
type jobReproPage struct {
	groups   []repro.Group
	sum      repro.Summary
	next     string
	previous map[[2]string]string
}

// jobReproPage reads a page of a job's groups. Without a filter it pages
// over repro_group (migration 0007) and loads only the page's builds:
// the busiest job has 2,000 builds. With a filter (which looks at hashes
// and uploaders) or limit 0 (JSON: everything) it loads every build.
func (h *Handler) jobReproPage(ctx context.Context, j *db.Job, offset, limit int, query string) (jobReproPage, error) {
	var pg jobReproPage
	key := func(platform, input string) [2]string { return [2]string{platform, input} }
	if query == "" && limit > 0 {
		counts, err := h.DB.JobReproGroups(ctx, j.ID)
		if err != nil {
			return pg, err
		}
		for _, c := range counts {
			pg.sum.Add(repro.VerdictOf(c.Builds, c.Outputs))
		}
		end := min(len(counts), offset+limit)
		start := min(offset, end)
		if end < len(counts) {
			pg.next = strconv.Itoa(end)
		}
		// One more: the previous input of the page's last row.
		sel := counts[start:min(end+1, len(counts))]
		rows, err := h.DB.JobReproBuildsOf(ctx, j.ID, sel)
		if err != nil {
			return pg, err
		}
		byKey := map[[2]string]repro.Group{}
		for _, g := range repro.Summarize(reproBuilds(j.Name, rows)) {
			byKey[key(g.Platform, g.InputID)] = g
		}
		pg.previous = map[[2]string]string{}
		for i, c := range sel {
			g, ok := byKey[key(c.Platform, hex.EncodeToString(c.InputID))]
			if !ok {
				continue // removed between the two queries
			}
			if i > 0 && len(pg.groups) > 0 && sel[i-1].Platform == c.Platform && len(g.Outputs) > 0 {
				prev := pg.groups[len(pg.groups)-1]
				pg.previous[key(prev.Platform, prev.InputID)] = g.Outputs[0].Latest.UUID
			}
			if i < end-start {
				pg.groups = append(pg.groups, g)
			}
		}
		return pg, nil
	}

	rows, err := h.DB.JobReproBuilds(ctx, j.ID)
	if err != nil {
		return pg, err
	}
	groups := repro.Summarize(reproBuilds(j.Name, rows))
	// By platform (sorted), newest input first within each: the order of
	// the page and of the cursor.
	sort.SliceStable(groups, func(a, b int) bool { return groups[a].Platform < groups[b].Platform })
	// The previous (older) input id of the same platform, before the
	// filter: what changed is its comparison with this one's newest build.
	pg.previous = map[[2]string]string{}
	for i := 0; i+1 < len(groups); i++ {
		if groups[i+1].Platform == groups[i].Platform {
			pg.previous[key(groups[i].Platform, groups[i].InputID)] = groups[i+1].Outputs[0].Latest.UUID
		}
	}
	if query != "" {
		groups = slices.DeleteFunc(groups, func(g repro.Group) bool { return !groupMatches(g, query) })
	}
	for _, g := range groups {
		pg.sum.Add(g.Verdict)
	}
	if limit == 0 {
		limit = len(groups)
	}
	end := min(len(groups), offset+limit)
	start := min(offset, end)
	if end < len(groups) {
		pg.next = strconv.Itoa(end)
	}
	pg.groups = groups[start:end]
	return pg, nil
}

// groupMatches is the per-job view's filter: q (lower case) in the
// platform, the input id, an output's hash, an uploader or the verdict.
func groupMatches(g repro.Group, q string) bool {
	if strings.Contains(strings.ToLower(g.Platform), q) || strings.HasPrefix(g.InputID, q) ||
		strings.Contains(string(g.Verdict), q) {
		return true
	}
	for _, o := range g.Outputs {
		if strings.HasPrefix(o.SHA256, q) {
			return true
		}
		for _, u := range o.Uploaders {
			if strings.Contains(strings.ToLower(u), q) {
				return true
			}
		}
	}
	return false
}

func reproVerdictView(v repro.Verdict) views.Verdict {
	return views.Verdict{Key: string(v), Mark: v.Mark(), Label: v.Label()}
}

func reproSummaryView(s repro.Summary) views.ReproSummary {
	out := views.ReproSummary{Reproducible: s.Reproducible, NotReproducible: s.NotReproducible,
		Unverified: s.Unverified, Total: s.Total()}
	if share, ok := s.Share(); ok {
		out.Share = fmt.Sprintf("%.0f %%", share)
	} else {
		out.Share = "–"
	}
	return out
}

// Reproducibility is GET /reproducibility?q=&sort=: every job with its share
// of reproducible inputs over the last 30 days and all time, and the site's
// totals.
func (h *Handler) Reproducibility(c *fiber.Ctx) error {
	c.Vary("Accept", "HX-Request")
	// An input is recent when its newest build started in the window.
	buckets, err := h.DB.ReproBuckets(c.UserContext(), time.Now().Add(-reproRecent))
	if err != nil {
		return fmt.Errorf("reproducibility: %w", err)
	}
	query := copyString(c.Query("q"))
	sortBy := copyString(c.Query("sort"))
	switch sortBy {
	case "", "name", "share", "share30":
	default:
		return httperr.BadRequest("Bad sort: want name, share or share30", nil)
	}
	type acc struct{ all, recent repro.Summary }
	byJob := map[string]*acc{}
	var names []string
	var site acc
	for _, b := range buckets {
		v := repro.VerdictOf(b.Builds, b.Outputs)
		site.all.AddN(v, b.Groups)
		if b.Recent {
			site.recent.AddN(v, b.Groups)
		}
		if query != "" && !strings.Contains(strings.ToLower(b.Job), strings.ToLower(query)) {
			continue
		}
		a := byJob[b.Job]
		if a == nil {
			a = &acc{}
			byJob[b.Job] = a
			names = append(names, b.Job)
		}
		a.all.AddN(v, b.Groups)
		if b.Recent {
			a.recent.AddN(v, b.Groups)
		}
	}
	share := func(s repro.Summary) float64 {
		v, ok := s.Share()
		if !ok {
			return -1
		}
		return v
	}
	sort.Strings(names)
	switch sortBy {
	case "share":
		sort.SliceStable(names, func(i, j int) bool { return share(byJob[names[i]].all) > share(byJob[names[j]].all) })
	case "share30":
		sort.SliceStable(names, func(i, j int) bool {
			return share(byJob[names[i]].recent) > share(byJob[names[j]].recent)
		})
	}

	if WantsJSON(c) {
		out := views.SiteReproJSON{Jobs: []views.SiteReproJobJSON{}, AllTime: site.all, Last30d: site.recent}
		for _, n := range names {
			a := byJob[n]
			j := views.SiteReproJobJSON{Job: n, AllTime: a.all, Last30d: a.recent}
			if v, ok := a.all.Share(); ok {
				j.Share = &v
			}
			if v, ok := a.recent.Share(); ok {
				j.Share30d = &v
			}
			out.Jobs = append(out.Jobs, j)
		}
		return c.JSON(out)
	}

	page := views.SiteReproPage{Query: query, Sort: sortBy,
		AllTime: reproSummaryView(site.all), Last30d: reproSummaryView(site.recent)}
	for _, key := range []struct{ key, text string }{{"name", "Job"}, {"share30", "Last 30 days"}, {"share", "All time"}} {
		q := "?sort=" + key.key
		if query != "" {
			q += "&q=" + queryEscape(query)
		}
		page.SortLinks = append(page.SortLinks, views.Chip{Text: key.text, Value: key.key, URL: "/reproducibility" + q,
			Active: sortBy == key.key || sortBy == "" && key.key == "name"})
	}
	for _, n := range names {
		a := byJob[n]
		page.Jobs = append(page.Jobs, views.SiteReproJob{Job: n, URL: views.JobURL(n) + "/reproducibility",
			AllTime: reproSummaryView(a.all), Last30d: reproSummaryView(a.recent)})
	}
	// htmx (the filter box, the sort links) gets only the table.
	return h.Views.Render(c, fiber.StatusOK, "site_repro", views.Page{
		Title:    "Reproducibility",
		Crumbs:   []views.Crumb{views.Home, {Text: "Reproducibility", URL: "/reproducibility"}},
		Fragment: "site_repro_jobs",
		Body:     page,
	})
}

// reproBuildOf is a loaded build as the model sees it.
func reproBuildOf(b *db.BuildInfo) repro.Build {
	out := repro.Build{UUID: b.UUID, Job: b.JobName, Platform: b.Platform,
		Uploader: b.Username, Start: b.Start()}
	if len(b.InputID) > 0 {
		out.InputID = hex.EncodeToString(b.InputID)
	}
	if b.Main != nil {
		out.Output = hex.EncodeToString(b.Main.SHA256)
	}
	return out
}

func comparePairJSON(p repro.Pair) views.ComparePairJSON {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return views.ComparePairJSON{Left: opt(p.LeftOutput), Right: opt(p.RightOutput), Identical: p.IdenticalOutputs}
}

// standing places a build among the builds of its group (nil for a failed
// build or one without an input id: its standing is empty).
func (h *Handler) standing(ctx context.Context, b *db.BuildInfo) (repro.Standing, error) {
	rows, err := h.DB.ReproRelatives(ctx, b)
	if err != nil {
		return repro.Standing{}, err
	}
	return repro.StandingOf(reproBuildOf(b), reproBuilds(b.JobName, rows)), nil
}

// buildRepro is the build page's view of a standing.
func buildRepro(b *db.BuildInfo, s repro.Standing) *views.BuildRepro {
	out := &views.BuildRepro{Verdict: reproVerdictView(s.Verdict), Line: s.Line(), Uploader: b.Username,
		Independent: s.Independent(), Uploaders: strings.Join(s.Uploaders, ", "),
		ViewURL: views.JobURL(b.JobName) + "/reproducibility"}
	if len(b.InputID) == 0 {
		out.Line = "The build's input (opam-switch, build-environment, system-packages) is incomplete"
	}
	links := func(bs []repro.Build) []views.BuildLink {
		var out []views.BuildLink
		for _, o := range bs {
			out = append(out, views.BuildLink{Platform: o.Platform, Start: o.Start, URL: views.BuildURL(o.Job, o.UUID),
				Uploader: o.Uploader, CompareURL: views.CompareURL(o.UUID, b.UUID)})
		}
		return out
	}
	out.ReproducedBy, out.DiffersFrom, out.UnchangedBy = links(s.ReproducedBy), links(s.DiffersFrom), links(s.UnchangedBy)
	return out
}

func buildReproJSON(b *db.BuildInfo, s repro.Standing) *views.BuildReproJSON {
	if b.Main == nil {
		return nil
	}
	ids := func(bs []repro.Build) []string {
		out := make([]string, 0, len(bs))
		for _, o := range bs {
			out = append(out, o.UUID)
		}
		return out
	}
	return &views.BuildReproJSON{Verdict: s.Verdict, Uploader: b.Username, Independent: s.Independent(),
		ReproducedBy: ids(s.ReproducedBy), DiffersFrom: ids(s.DiffersFrom), UnchangedBy: ids(s.UnchangedBy)}
}

// reproMarks returns the reproducibility mark of each of the builds (by
// UUID) that has one: one query for all of a list's rows.
func (h *Handler) reproMarks(ctx context.Context, ids []int64) (map[string]repro.Mark, error) {
	rows, err := h.DB.ReproGroupsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	return repro.Marks(reproBuilds("", rows)), nil
}

// rowRepro is a list row's mark, nil without one.
func rowRepro(job string, m repro.Mark, ok bool) *views.RowRepro {
	if !ok {
		return nil
	}
	return &views.RowRepro{Verdict: reproVerdictView(m.Verdict), Text: m.Text(), URL: views.JobURL(job) + "/reproducibility"}
}

// groupRepro is the front page's mark: the verdict of the build's input
// from its group's counts.
func groupRepro(job string, n db.ReproCount) *views.RowRepro {
	v := repro.VerdictOf(n.Builds, n.Outputs)
	text := views.FormatCount(int64(n.Builds), "build", "builds") + " of this input"
	return &views.RowRepro{Verdict: reproVerdictView(v), Text: text, URL: views.JobURL(job) + "/reproducibility"}
}

func rowReproJSON(m repro.Mark, ok bool) *views.RowReproJSON {
	if !ok {
		return nil
	}
	return &views.RowReproJSON{Verdict: m.Verdict, Builds: m.Builds, Uploaders: m.Uploaders}
}

// entryIDs are the ids of a list's successful builds.
func entryIDs(entries []db.JobEntry) []int64 {
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		if e.Main != nil {
			ids = append(ids, e.ID)
		}
	}
	return ids
}
