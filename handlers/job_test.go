package handlers_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

func shaHex(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// jobBuilds: outputs A, B, A (other platform), a failure, C, in start order.
func jobBuilds() []ovBuild {
	readme := "# Hello job\n\nSome *text*.\n\n<script>alert(1)</script>\n\n## Usage <b>now</b>\n"
	return []ovBuild{
		{Job: "j", N: 1, Bin: "A", Readme: readme},
		{Job: "j", N: 2, Bin: "B", Readme: readme},
		{Job: "j", N: 3, Bin: "A", Platform: "ubuntu-24.04", Readme: readme},
		{Job: "j", N: 4, Result: builder.Result{Kind: builder.Signalled, Code: -7}},
		{Job: "j", N: 5, Bin: "C", Readme: readme},
		{Job: "bare", N: 6, Bin: "x"},
	}
}

var rowUUID = regexp.MustCompile(`name="left" value="([0-9a-f-]{36})"`)

// rowsOf lists the UUIDs of the job page's rows in order.
func rowsOf(body []byte) []string {
	var out []string
	for _, m := range rowUUID.FindAllSubmatch(body, -1) {
		out = append(out, string(m[1])[len(string(m[1]))-2:])
	}
	return out
}

func wantRows(want ...string) func(t *testing.T, r apptest.Response) {
	return func(t *testing.T, r apptest.Response) {
		t.Helper()
		if got := strings.Join(rowsOf(r.Body), " "); got != strings.Join(want, " ") {
			t.Errorf("rows (last two digits of the UUIDs) %q, want %q", got, strings.Join(want, " "))
		}
	}
}

func TestJobPage(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, jobBuilds()...)
	runScenarios(t, env, []scenario{
		{
			name: "grouped by output", url: "/job/j", status: http.StatusOK,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			vary:   []string{"HX-Request", "Accept"},
			has: []string{
				"<title>Job j</title>", "<h1>Job j</h1>",
				`<li><a href="/job/j" aria-current="page">Job j</a></li>`,
				`<h2 id="readme">README</h2> <a class="section-jump" href="#builds">Skip to builds</a>`,
				`<h3 id="hello-job"><a class="anchor" aria-hidden="true" tabindex="-1" href="#hello-job"></a>Hello job</h3>`,
				"<em>text</em>", "<h4 id=",
				`<h2 id="builds">Builds</h2> <a class="section-jump" href="#readme">Back to readme</a>`,
				`<form method="get" action="/compare"`, `name="right"`, `<button type="submit">Compare</button>`,
				"built 2 times", `hx-get="/job/j/output/` + shaHex("A") + `"`,
				"Download j.hvt (1B)", shaHex("C")[:12],
				`Including failed builds <a href="/job/j/failed">here</a>.`,
			},
			lacks: []string{"<script>alert", "<b>now</b>", "Build failure", "Older builds"},
			check: wantRows("05", "03", "02"),
		},
		{
			name: "failed merged", url: "/job/j/failed", status: http.StatusOK,
			has:   []string{"Build failure: signalled SIGKILL (-7)", `Excluding failed builds <a href="/job/j">here</a>.`, `aria-checked="true"`},
			check: wantRows("05", "04", "03", "02"),
		},
		{
			name: "platform filter", url: "/job/j?platform=debian-12", status: http.StatusOK,
			has: []string{"<title>Job j on debian-12</title>", "<h1>Job j on debian-12</h1>",
				`<a href="/job/j?platform=debian-12" aria-current="page">on debian-12</a>`,
				`href="/job/j/failed?platform=debian-12"`},
			lacks: []string{"built 2 times"}, // A was built once on debian-12
			check: wantRows("05", "02", "01"),
		},
		{
			name: "platform filter, failed", url: "/job/j/failed?platform=ubuntu-24.04", status: http.StatusOK,
			lacks: []string{"built 2 times"},
			check: wantRows("03"),
		},
		{
			name: "no README", url: "/job/bare", status: http.StatusOK,
			has:   []string{`<h2 id="builds">Builds</h2>`},
			lacks: []string{`id="readme"`, "Back to readme"},
		},
		{
			name: "htmx filter gets the content", url: "/job/j?platform=debian-12", headers: []string{"HX-Request", "true"},
			status: http.StatusOK, vary: []string{"HX-Request"},
			has: []string{"<h1>Job j on debian-12</h1>", `<tbody id="build-rows">`}, lacks: []string{"<html", "<footer"},
		},
		{
			name: "output builds page", url: "/job/j/output/" + shaHex("A"), status: http.StatusOK,
			has: []string{"<h1>Job <a href=\"/job/j\">j</a></h1>", ovUUID(3), ovUUID(1)},
			check: func(t *testing.T, r apptest.Response) {
				if strings.Index(string(r.Body), ovUUID(3)) > strings.Index(string(r.Body), ovUUID(1)) {
					t.Error("output builds not newest first")
				}
			},
		},
		{
			name: "output builds fragment", url: "/job/j/output/" + shaHex("A"), headers: []string{"HX-Request", "true"},
			status: http.StatusOK, has: []string{`<ul class="output-list">`, ovUUID(3)}, lacks: []string{"<html", "<h1>"},
		},
		{
			// Every build of the output, for builder-db pull.
			name: "output builds, JSON", url: "/job/j/output/" + shaHex("A"), headers: []string{"Accept", "application/json"},
			status: http.StatusOK, vary: []string{"Accept"},
			has: []string{`{"builds":[{"uuid":"` + ovUUID(3) + `"`, `{"uuid":"` + ovUUID(1) + `"`,
				`"main_binary":{"filename":"j.hvt","sha256":"` + shaHex("A") + `"`, `"builds":2}`},
			lacks: []string{"<html"},
		},
		{name: "output of another job", url: "/job/bare/output/" + shaHex("A"), status: http.StatusNotFound},
		{name: "output, bad hash", url: "/job/j/output/xyz", status: http.StatusBadRequest},
		{
			name: "unknown job", url: "/job/nope", status: http.StatusNotFound,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			has: []string{"<title>Page not found</title>", "This page does not exist", "You requested the page <code>/job/nope</code>",
				`<a href="/">Go to the front page</a>`, `<form class="not-found-search" role="search" method="get" action="/">`},
			lacks: []string{"Jobs with similar names"},
		},
		{
			name: "unknown job, JSON", url: "/job/nope/failed", headers: []string{"Accept", "application/json"},
			status: http.StatusNotFound, has: []string{`{"error":"Job not found"}`},
		},
		{name: "bad cursor", url: "/job/j?cursor=abc", status: http.StatusBadRequest},
		{name: "head", method: http.MethodHead, url: "/job/j/failed", status: http.StatusOK},
	})
}

type jobJSON struct {
	Builds []struct {
		UUID       string `json:"uuid"`
		MainBinary *struct {
			Filename string `json:"filename"`
			SHA256   string `json:"sha256"`
			Size     int64  `json:"size"`
		} `json:"main_binary"`
		Platform string `json:"platform"`
		Builds   int    `json:"builds"`
		Result   struct {
			Kind string `json:"kind"`
		} `json:"result"`
	} `json:"builds"`
	NextCursor *string `json:"next_cursor"`
}

func getJobJSON(t *testing.T, env *apptest.Env, url string) (jobJSON, string) {
	t.Helper()
	r := env.Get(t, url, "Accept", "application/json")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s: %d %q %s", url, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var out jobJSON
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var uuids []string
	for _, b := range out.Builds {
		uuids = append(uuids, b.UUID[len(b.UUID)-2:])
	}
	return out, strings.Join(uuids, " ")
}

func TestJobJSON(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, jobBuilds()...)

	all, got := getJobJSON(t, env, "/job/j")
	if got != "05 03 02" || all.NextCursor != nil {
		t.Errorf("/job/j: %s next %v", got, all.NextCursor)
	}
	if mb := all.Builds[1].MainBinary; mb == nil || mb.Filename != "j.hvt" || mb.SHA256 != shaHex("A") || mb.Size != 1 || all.Builds[1].Builds != 2 {
		t.Errorf("entry A: %+v", all.Builds[1])
	}
	failed, got := getJobJSON(t, env, "/job/j/failed")
	if got != "05 04 03 02" || failed.Builds[1].MainBinary != nil || failed.Builds[1].Result.Kind != "signalled" {
		t.Errorf("/job/j/failed: %s %+v", got, failed.Builds[1])
	}
	// Pages of two: a cursor until the last page.
	p1, got := getJobJSON(t, env, "/job/j/failed?limit=2")
	if got != "05 04" || p1.NextCursor == nil {
		t.Fatalf("page 1: %s next %v", got, p1.NextCursor)
	}
	p2, got := getJobJSON(t, env, "/job/j/failed?limit=2&cursor="+*p1.NextCursor)
	if got != "03 02" {
		t.Errorf("page 2: %s", got)
	}
	if p2.NextCursor != nil {
		// Exactly two left: the page is full but nothing follows.
		t.Errorf("page 2 has next_cursor %q", *p2.NextCursor)
	}
	if _, got := getJobJSON(t, env, "/job/j?platform=ubuntu-24.04"); got != "03" {
		t.Errorf("platform filter: %s", got)
	}
	runScenarios(t, env, []scenario{
		{name: "bad limit", url: "/job/j?limit=0", headers: []string{"Accept", "application/json"}, status: http.StatusBadRequest, has: []string{`"error"`}},
		{name: "JSON raw shape", url: "/job/bare", headers: []string{"Accept", "application/json"}, status: http.StatusOK,
			has: []string{`{"builds":[{"uuid":"` + ovUUID(6) + `","main_binary":{"filename":"bare.hvt","sha256":"` + shaHex("x") + `","size":1}`}},
	})
}

// 50 rows at a time: an "Older builds" link (and htmx sentinel row) with a
// cursor; htmx asks for the rows only.
func TestJobPagination(t *testing.T) {
	env := apptest.New(t)
	var builds []ovBuild
	for i := 1; i <= 120; i++ {
		builds = append(builds, ovBuild{Job: "many", N: i, Bin: "out " + itoa(i)})
	}
	ovEnv(t, env, builds...)
	next := regexp.MustCompile(`<a href="(/job/many\?cursor=[0-9.]+)">Older builds</a>`)

	r := env.Get(t, "/job/many")
	if n := len(rowsOf(r.Body)); n != 50 {
		t.Fatalf("first page: %d rows", n)
	}
	m := next.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no Older builds link")
	}
	if !strings.Contains(string(r.Body), `hx-trigger="revealed"`) {
		t.Error("no revealed trigger on the last row")
	}
	// Without JS: the link is a whole page.
	r2 := env.Get(t, string(m[1]))
	if rows := rowsOf(r2.Body); len(rows) != 50 || !strings.Contains(string(r2.Body), "<html") || rows[0] != "70" {
		t.Errorf("second page: %v", rows)
	}
	// With htmx: rows only, then the last page without a sentinel.
	r3 := env.Get(t, string(m[1]), "HX-Request", "true")
	body := string(r3.Body)
	if strings.Contains(body, "<html") || strings.Contains(body, "<table") || !strings.HasPrefix(strings.TrimSpace(body), "<tr") {
		t.Errorf("fragment is not rows only: %.300s", body)
	}
	m3 := next.FindSubmatch(r3.Body)
	if m3 == nil {
		t.Fatal("no next link in the second page's rows")
	}
	r4 := env.Get(t, string(m3[1]), "HX-Request", "true")
	if rows := rowsOf(r4.Body); len(rows) != 20 || rows[19] != "01" {
		t.Errorf("last page: %v", rows)
	}
	if strings.Contains(string(r4.Body), "Older builds") {
		t.Error("last page has an Older builds link")
	}
}

// The 404 page of an unknown job suggests jobs with similar names (longest
// shared prefix) besides the front page and its search.
func TestJobNotFoundSuggestions(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "hello-hvt", N: 1, Bin: "a"}, ovBuild{Job: "hello-xen", N: 2, Bin: "b"}, ovBuild{Job: "other", N: 3, Bin: "c"})
	runScenarios(t, env, []scenario{
		{
			name: "typo", url: "/job/hello-hvx/build/latest", status: http.StatusNotFound,
			has:   []string{"Jobs with similar names", `<li><a href="/job/hello-hvt">hello-hvt</a></li>`, `<li><a href="/job/hello-xen">hello-xen</a></li>`, "Search the jobs"},
			lacks: []string{`href="/job/other"`},
		},
		{name: "nothing alike", url: "/job/zzz", status: http.StatusNotFound, has: []string{"Go to the front page"}, lacks: []string{"Jobs with similar names"}},
		{name: "not a job", url: "/nope", status: http.StatusNotFound, has: []string{"Search the jobs"}, lacks: []string{"Jobs with similar names"}},
	})
}

// A job with a single row offers no "Compare" button; two rows do.
func TestJobCompareNeedsTwoRows(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "solo", N: 1, Bin: "a"}, ovBuild{Job: "duo", N: 2, Bin: "a"}, ovBuild{Job: "duo", N: 3, Bin: "b"})
	runScenarios(t, env, []scenario{
		{name: "one row", url: "/job/solo", status: http.StatusOK, has: []string{"nothing to compare yet"}, lacks: []string{`<button type="submit">Compare</button>`}},
		{name: "two rows", url: "/job/duo", status: http.StatusOK, has: []string{`<button type="submit">Compare</button>`}, lacks: []string{"nothing to compare yet"}},
	})
}
