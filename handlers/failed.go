package handlers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// Page sizes of /failed-builds: the reference's default count [HEAD] and a
// bound so that one request cannot ask for the whole table.
const (
	failedDefaultCount = 20
	failedMaxCount     = 500
)

// failedResults are the result filters, in the order the page offers them.
var failedResults = []views.Chip{
	{Text: "All results", Value: ""},
	{Text: "Exited non-zero", Value: db.ResultExited},
	{Text: "Signalled", Value: db.ResultSignalled},
	{Text: "Stopped", Value: db.ResultStopped},
	{Text: "Aborted", Value: db.ResultAborted},
}

// queryInt reads an integer query parameter; like the reference, anything
// that is not one falls back to def.
func queryInt(c *fiber.Ctx, name string, def int) int {
	n, err := strconv.Atoi(c.Query(name))
	if err != nil {
		return def
	}
	return n
}

// FailedBuilds is GET /failed-builds (reference §6.2): failed builds of all
// jobs, newest first. ?platform= and ?result= filter; ?count= (or ?limit=)
// sizes a page; ?cursor= continues after a page (our next links use it),
// ?start= skips builds as the reference's offset did.
func (h *Handler) FailedBuilds(c *fiber.Ctx) error {
	c.Vary("Accept", "HX-Request")
	ctx := c.UserContext()
	after, err := cursorQuery(c)
	if err != nil {
		return err
	}
	q := db.FailedQuery{
		Platform: copyString(c.Query("platform")),
		Result:   copyString(c.Query("result")),
		After:    after,
		Offset:   max(queryInt(c, "start", 0), 0),
		Limit:    queryInt(c, "count", failedDefaultCount),
	}
	if c.Query("limit") != "" {
		if q.Limit, err = limitQuery(c); err != nil {
			return err
		}
	}
	if q.Limit < 1 {
		q.Limit = failedDefaultCount
	}
	q.Limit = min(q.Limit, failedMaxCount)
	if !validResult(q.Result) {
		return httperr.BadRequest("Bad result filter", nil)
	}
	builds, next, err := h.DB.FailedBuilds(ctx, q)
	if err != nil {
		return fmt.Errorf("failed builds: %w", err)
	}

	if WantsJSON(c) {
		out := views.FailedJSON{Builds: make([]views.FailedBuildJSON, 0, len(builds))}
		for _, b := range builds {
			out.Builds = append(out.Builds, views.FailedBuildJSON{
				Job:        b.JobName,
				UUID:       b.UUID,
				Platform:   b.Platform,
				StartTime:  views.FormatRFC3339JSON(b.Start()),
				FinishTime: views.FormatRFC3339JSON(b.Finish()),
				Result:     resultJSON(builder.UnpackResult(b.ResultCode, b.ResultMsg)),
				Reason:     failedResult(&b).Text,
			})
		}
		if next != nil {
			out.NextCursor = next.String()
		}
		return c.JSON(out)
	}

	page := views.FailedPage{
		Platform: q.Platform,
		Result:   q.Result,
		Count:    q.Limit,
		Filtered: q.Platform != "" || q.Result != "",
	}
	for i := range builds {
		row := buildRow(&builds[i])
		row.Result = failedResult(&builds[i])
		page.Rows = append(page.Rows, row)
	}
	if next != nil {
		page.NextURL = failedURL(q.Platform, q.Result, q.Limit, next)
	}
	if after != nil && views.IsFragmentRequest(c) {
		return h.Views.RenderFragment(c, fiber.StatusOK, "failed", "failed_rows", views.Page{Body: page})
	}

	// Platforms to filter by: those of the front page (one index seek per
	// job and platform) and those on this page; listing the platforms of all
	// failed builds would read them all.
	entries, err := h.DB.Overview(ctx, time.Time{})
	if err != nil {
		return fmt.Errorf("failed builds: %w", err)
	}
	seen := map[string]bool{}
	var platforms []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			platforms = append(platforms, p)
		}
	}
	for _, e := range entries {
		add(e.Platform)
	}
	for _, b := range builds {
		add(b.Platform)
	}
	add(q.Platform)
	page.Platforms = append(page.Platforms, views.Chip{Text: "All platforms", Value: "", Active: q.Platform == ""})
	slices.Sort(platforms)
	for _, p := range platforms {
		page.Platforms = append(page.Platforms, views.Chip{Text: p, Value: p, Active: p == q.Platform})
	}
	for _, r := range failedResults {
		r.Active = r.Value == q.Result
		page.Results = append(page.Results, r)
	}
	return h.Views.Render(c, fiber.StatusOK, "failed", views.Page{
		Title:    "Failed builds",
		Crumbs:   []views.Crumb{views.Home, {Text: "Failed builds", URL: "/failed-builds"}},
		Fragment: "failed_list",
		Body:     page,
	})
}

func validResult(r string) bool {
	for _, f := range failedResults {
		if f.Value == r {
			return true
		}
	}
	return false
}

// failedURL is the next page of /failed-builds, keeping the filters (the
// reference's next link dropped the platform, §15.21).
func failedURL(platform, result string, count int, after *db.Cursor) string {
	var b strings.Builder
	b.WriteString("/failed-builds?")
	if platform != "" {
		b.WriteString("platform=" + queryEscape(platform) + "&")
	}
	if result != "" {
		b.WriteString("result=" + queryEscape(result) + "&")
	}
	b.WriteString("count=" + strconv.Itoa(count) + "&cursor=" + after.String())
	return b.String()
}

// failedResult is why a listed build failed. Every build here lacks a main
// binary; one whose process exited 0 would otherwise read as a success.
func failedResult(b *db.BuildInfo) views.Result {
	r := viewResult(builder.UnpackResult(b.ResultCode, b.ResultMsg))
	if r.OK {
		return views.Result{OK: false, Text: r.Text + ", no main binary"}
	}
	return r
}
