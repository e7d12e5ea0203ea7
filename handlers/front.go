package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// uncategorized names the section of jobs without a section tag.
const uncategorized = "Uncategorized"

// Front is GET /: the active jobs (reference §6.1), filterable as you type
// (product.md §3.1). ?expired=1 includes expired jobs, as /all-builds does.
func (h *Handler) Front(c *fiber.Ctx) error {
	return h.overview(c, false)
}

// AllBuilds is GET /all-builds: every job, without the expiry rule.
func (h *Handler) AllBuilds(c *fiber.Ctx) error {
	return h.overview(c, true)
}

func (h *Handler) overview(c *fiber.Ctx, allBuilds bool) error {
	c.Vary("Accept", "HX-Request")
	ctx := c.UserContext()
	query := strings.TrimSpace(c.Query("q"))
	platform := copyString(c.Query("platform"))
	expired := allBuilds || c.Query("expired") == "1"

	var finishedAfter time.Time
	if !expired && h.ExpiredJobs > 0 {
		finishedAfter = time.Now().AddDate(0, 0, -h.ExpiredJobs)
	}
	entries, err := h.DB.Overview(ctx, finishedAfter)
	if err != nil {
		return fmt.Errorf("front page: %w", err)
	}
	// The chips offer every platform of the unfiltered list, so that picking
	// one never makes the others disappear.
	var platforms []string
	for _, e := range entries {
		if !slices.Contains(platforms, e.Platform) {
			platforms = append(platforms, e.Platform)
		}
	}
	slices.Sort(platforms)
	sections := groupOverview(filterOverview(entries, strings.ToLower(copyString(query)), platform))

	if WantsJSON(c) {
		return sendOverviewJSON(c, sections, h.overviewLatest(entries, sections))
	}

	// An empty front page over a data directory full of old builds (the
	// sample records, a restored backup) must say that expiry hides them;
	// the extra query runs only then.
	hidden := 0
	if len(entries) == 0 && !finishedAfter.IsZero() {
		all, err := h.DB.Overview(ctx, time.Time{})
		if err != nil {
			return fmt.Errorf("front page: expired jobs: %w", err)
		}
		seen := map[string]bool{}
		for _, e := range all {
			seen[e.JobName] = true
		}
		hidden = len(seen)
	}

	since, err := h.DB.MaxBuildID(ctx)
	if err != nil {
		return fmt.Errorf("front page: %w", err)
	}
	action := "/"
	if allBuilds {
		action = "/all-builds"
	}
	page := views.FrontPage{
		AllBuilds:   allBuilds,
		Action:      action,
		Query:       query,
		Platform:    platform,
		Expired:     expired,
		ExpiredDays: h.ExpiredJobs,
		Since:       since,

		HiddenExpired: hidden,
	}
	page.Platforms = append(page.Platforms, views.Chip{Text: "All", Value: "", Active: platform == ""})
	for _, p := range platforms {
		page.Platforms = append(page.Platforms, views.Chip{Text: p, Value: p, Active: p == platform})
	}
	// Slices are sized up front: a miss builds a row per job and platform.
	page.Sections = make([]views.FrontSection, 0, len(sections))
	h.frontCells.Trim(len(entries))
	now := time.Now()
	size := 16 << 10 // header, filter and footer
	for _, s := range sections {
		vs := views.FrontSection{Name: s.name, Jobs: make([]views.FrontJob, 0, len(s.jobs))}
		for _, j := range s.jobs {
			vj := views.FrontJob{Name: j.name, URL: views.JobURL(j.name), Synopsis: j.synopsis,
				Builds: make([]views.BuildRow, len(j.entries))}
			for i := range j.entries {
				vj.Builds[i].Cells = h.frontRowCells(&j.entries[i], now)
			}
			vs.Jobs = append(vs.Jobs, vj)
			page.Matches++
		}
		size += vs.RowsSize()
		page.Sections = append(page.Sections, vs)
	}
	return h.Views.Render(c, fiber.StatusOK, "front", views.Page{
		Title:    "Reproducible OPAM builds",
		Crumbs:   []views.Crumb{views.Home},
		Fragment: "front_jobs",
		Body:     page,
		SizeHint: size,
	})
}

// frontRowCells returns the cells of e's front page row (views.FrontCells),
// made once per build, reproducibility counts and "ago" hint: a miss of
// the page after an upload writes only the rows that changed.
func (h *Handler) frontRowCells(e *db.OverviewEntry, now time.Time) string {
	key := views.FrontCellsKey{Build: e.ID, Ago: views.FormatAgo(e.Start(), now)}
	if e.Repro != nil {
		key.Repro, key.ReproBuilds, key.ReproOutputs = true, e.Repro.Builds, e.Repro.Outputs
	}
	if cells, ok := h.frontCells.Get(key); ok {
		return cells
	}
	row := buildRow(&e.BuildInfo)
	if e.Repro != nil {
		row.Repro = groupRepro(e.JobName, *e.Repro)
	}
	row.Format(now) // the hint of the key, even if a minute passed since
	cells := views.FrontCells(&row)
	h.frontCells.Put(key, cells)
	return cells
}

// filterOverview keeps the entries matching the filter box: a job matches
// when its name, synopsis or section contains q (all its platforms stay), or
// else the platforms whose name contains q. platform, when set, keeps only
// that platform.
func filterOverview(entries []db.OverviewEntry, q, platform string) []db.OverviewEntry {
	if q == "" && platform == "" {
		return entries
	}
	var out []db.OverviewEntry
	for _, e := range entries {
		if platform != "" && e.Platform != platform {
			continue
		}
		if q != "" {
			synopsis := ""
			if e.Synopsis != nil {
				synopsis = *e.Synopsis
			}
			job := strings.Contains(strings.ToLower(e.JobName), q) ||
				strings.Contains(strings.ToLower(synopsis), q) ||
				strings.Contains(strings.ToLower(sectionName(e.Section)), q)
			if !job && !strings.Contains(strings.ToLower(e.Platform), q) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func sectionName(s string) string {
	if s == "" {
		return uncategorized
	}
	return s
}

type overviewSection struct {
	name string
	jobs []overviewJob
}

type overviewJob struct {
	name     string
	synopsis string
	hasSyn   bool
	entries  []db.OverviewEntry
}

// groupOverview groups entries (ordered by job and platform) by section,
// sections in byte order (reference §6.1.5).
func groupOverview(entries []db.OverviewEntry) []overviewSection {
	bySection := map[string]*overviewSection{}
	var names []string
	for _, e := range entries {
		name := sectionName(e.Section)
		s, ok := bySection[name]
		if !ok {
			s = &overviewSection{name: name}
			bySection[name] = s
			names = append(names, name)
		}
		if n := len(s.jobs); n == 0 || s.jobs[n-1].name != e.JobName {
			j := overviewJob{name: e.JobName}
			if e.Synopsis != nil {
				j.synopsis, j.hasSyn = *e.Synopsis, true
			}
			s.jobs = append(s.jobs, j)
		}
		j := &s.jobs[len(s.jobs)-1]
		j.entries = append(j.entries, e)
	}
	slices.Sort(names)
	out := make([]overviewSection, len(names))
	for i, n := range names {
		out[i] = *bySection[n]
	}
	return out
}

// overviewLatest finds the "latest" of the jobs in sections (reference
// §6.1.6): the newest successful build on any platform is the newest of the
// per-platform newest in entries, so no query is needed. On / the builds of
// expired platforms are left out; one of them could only be the newest if
// it started after every build shown yet finished before all of them, more
// than the expiry period earlier. Only these binaries are opened, once each
// (Handler.Solo5), and only for the JSON.
func (h *Handler) overviewLatest(entries []db.OverviewEntry, sections []overviewSection) map[string]*views.OverviewSolo5JSON {
	newest := map[string]*db.OverviewEntry{}
	for i := range entries {
		e := &entries[i]
		if n, ok := newest[e.JobName]; !ok || e.Start().After(n.Start()) {
			newest[e.JobName] = e
		}
	}
	out := map[string]*views.OverviewSolo5JSON{}
	for _, s := range sections {
		for _, j := range s.jobs {
			e := newest[j.name]
			if e == nil {
				continue
			}
			if info := h.solo5Info(e.Main); info != nil && info.Manifest != nil && info.ABI != nil {
				out[j.name] = &views.OverviewSolo5JSON{UUID: e.UUID, Solo5Manifest: info.Manifest, Solo5ABI: info.ABI}
			}
		}
	}
	return out
}

// sendOverviewJSON writes {"jobs": [...], "jobs_by_section": {...}} with the
// reference's order quirk: sections in reverse byte order, in the list and
// in the object's keys (reference §6.1, §15.20). encoding/json sorts map
// keys, so the object is written by hand.
func sendOverviewJSON(c *fiber.Ctx, sections []overviewSection, latest map[string]*views.OverviewSolo5JSON) error {
	var jobs bytes.Buffer
	var bySection bytes.Buffer
	jobs.WriteByte('[')
	bySection.WriteByte('{')
	first := true
	for i := len(sections) - 1; i >= 0; i-- {
		s := sections[i]
		var list []views.OverviewJobJSON
		for _, j := range s.jobs {
			oj := views.OverviewJobJSON{Name: j.name, Platforms: []views.OverviewLatestJSON{}, Latest: latest[j.name]}
			if j.hasSyn {
				syn := j.synopsis
				oj.Synopsis = &syn
			}
			for _, e := range j.entries {
				oj.Platforms = append(oj.Platforms, views.OverviewLatestJSON{
					Platform:   e.Platform,
					UUID:       e.UUID,
					StartTime:  views.FormatRFC3339JSON(e.Start()),
					FinishTime: views.FormatRFC3339JSON(e.Finish()),
					MainBinary: mainBinaryJSON(e.Main),
				})
			}
			list = append(list, oj)
		}
		key, err := json.Marshal(s.name)
		if err != nil {
			return err
		}
		val, err := json.Marshal(list)
		if err != nil {
			return fmt.Errorf("overview JSON: %w", err)
		}
		if !first {
			jobs.WriteByte(',')
			bySection.WriteByte(',')
		}
		first = false
		jobs.Write(val[1 : len(val)-1]) // the section's jobs, spliced into one list
		bySection.Write(key)
		bySection.WriteByte(':')
		bySection.Write(val)
	}
	jobs.WriteByte(']')
	bySection.WriteByte('}')
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.SendString(`{"jobs":` + jobs.String() + `,"jobs_by_section":` + bySection.String() + "}")
}
