package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// reproInputs makes the three files an input id is computed from; builds
// with the same name have the same input id.
func reproInputs(name string) []builder.File {
	return []builder.File{
		{Path: "opam-switch", Data: []byte("opam-version: \"2.0\"\n# " + name + "\n")},
		{Path: "build-environment", Data: []byte("PATH=/bin\n")},
		{Path: "system-packages", Data: []byte("libc 1.0\n")},
	}
}

type reproUpload struct {
	b    ovBuild
	user string
}

// reproBuilds cover every case of issue 12: same input same output (by two
// uploaders), same input different output, different input same output, a
// failed build of a known input, another platform, another job.
func reproBuilds() []reproUpload {
	return []reproUpload{
		{ovBuild{Job: "r", N: 1, Bin: "A", Files: reproInputs("I1")}, ovUser},
		{ovBuild{Job: "r", N: 2, Bin: "A", Files: reproInputs("I1")}, "second"},
		{ovBuild{Job: "r", N: 3, Bin: "B", Files: reproInputs("I1")}, ovUser},
		{ovBuild{Job: "r", N: 4, Bin: "B", Files: reproInputs("I2")}, ovUser},
		{ovBuild{Job: "r", N: 5, Result: builder.Result{Kind: builder.Exited, Code: 1}, Files: reproInputs("I2")}, ovUser},
		{ovBuild{Job: "r", N: 6, Bin: "C", Files: reproInputs("I3")}, ovUser},
		{ovBuild{Job: "r", N: 7, Bin: "C", Files: reproInputs("I3")}, ovUser},
		{ovBuild{Job: "r", N: 8, Bin: "A", Platform: "ubuntu-24.04", Files: reproInputs("I1")}, ovUser},
		{ovBuild{Job: "other", N: 9, Bin: "Z", Files: reproInputs("I9")}, ovUser},
	}
}

func reproEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.New(t)
	env.AddUser(t, ovUser, ovPass, false)
	env.AddUser(t, "second", ovPass, false)
	for _, u := range reproBuilds() {
		r := env.Upload(t, "/upload", u.user, ovPass, u.b.encode(t))
		if r.Status != http.StatusCreated {
			t.Fatalf("upload #%d: %d %s", u.b.N, r.Status, r.Body)
		}
	}
	return env
}

func getJSONInto(t *testing.T, env *apptest.Env, url string, v any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/json")
	r := env.Do(t, req)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, r.Body)
	}
}

func TestJobReproducibility(t *testing.T) {
	env := reproEnv(t)
	type output struct {
		SHA256     string   `json:"sha256"`
		Builds     int      `json:"builds"`
		Uploaders  []string `json:"uploaders"`
		FirstUUID  string   `json:"first_uuid"`
		LatestUUID string   `json:"latest_uuid"`
	}
	type input struct {
		InputID string   `json:"input_id"`
		Verdict string   `json:"verdict"`
		Outputs []output `json:"outputs"`
	}
	var got struct {
		Job       string `json:"job"`
		Platforms []struct {
			Platform string  `json:"platform"`
			Inputs   []input `json:"inputs"`
		} `json:"platforms"`
		Summary    map[string]int `json:"summary"`
		NextCursor string         `json:"next_cursor"`
	}
	getJSONInto(t, env, "/job/r/reproducibility", &got)
	if got.Job != "r" || got.NextCursor != "" {
		t.Errorf("job %q next %q", got.Job, got.NextCursor)
	}
	wantSummary := map[string]int{"reproducible": 1, "not_reproducible": 1, "unverified": 2}
	if !reflect.DeepEqual(got.Summary, wantSummary) {
		t.Errorf("summary %v, want %v", got.Summary, wantSummary)
	}
	if len(got.Platforms) != 2 || got.Platforms[0].Platform != "debian-12" || got.Platforms[1].Platform != "ubuntu-24.04" {
		t.Fatalf("platforms %+v", got.Platforms)
	}
	deb := got.Platforms[0].Inputs
	// Newest input first: I3 (builds 6, 7), I2 (build 4; the failed build
	// 5 does not count), I1 (builds 1-3).
	want := []input{
		{Verdict: "reproducible", Outputs: []output{{shaHex("C"), 2, []string{ovUser}, ovUUID(6), ovUUID(7)}}},
		{Verdict: "unverified", Outputs: []output{{shaHex("B"), 1, []string{ovUser}, ovUUID(4), ovUUID(4)}}},
		{Verdict: "not-reproducible", Outputs: []output{
			{shaHex("B"), 1, []string{ovUser}, ovUUID(3), ovUUID(3)},
			{shaHex("A"), 2, []string{ovUser, "second"}, ovUUID(1), ovUUID(2)},
		}},
	}
	if len(deb) != len(want) {
		t.Fatalf("debian-12 inputs: %+v", deb)
	}
	for i := range want {
		if len(deb[i].InputID) != 64 {
			t.Errorf("input %d: id %q", i, deb[i].InputID)
		}
		deb[i].InputID = ""
		if !reflect.DeepEqual(deb[i], want[i]) {
			t.Errorf("input %d:\n got %+v\nwant %+v", i, deb[i], want[i])
		}
	}
	if ub := got.Platforms[1].Inputs; len(ub) != 1 || ub[0].Verdict != "unverified" {
		t.Errorf("ubuntu inputs %+v", ub)
	}

	// Paged: one input per page, with a cursor.
	var page struct {
		Platforms []struct {
			Inputs []input `json:"inputs"`
		} `json:"platforms"`
		NextCursor string `json:"next_cursor"`
	}
	getJSONInto(t, env, "/job/r/reproducibility?limit=1&cursor=1", &page)
	if page.NextCursor != "2" || len(page.Platforms) != 1 || page.Platforms[0].Inputs[0].Verdict != "unverified" {
		t.Errorf("page 2: %+v", page)
	}

	runScenarios(t, env, []scenario{
		{
			name: "html", url: "/job/r/reproducibility", status: http.StatusOK,
			vary: []string{"Accept", "HX-Request"},
			has: []string{
				"<title>Reproducibility of job r</title>",
				"<strong>25 %</strong> of 4 inputs reproducible",
				`<th colspan="4" scope="rowgroup">debian-12</th>`, `<th colspan="4" scope="rowgroup">ubuntu-24.04</th>`,
				`verdict-not-reproducible`, `by builder, second (independent)`,
				`href="/compare/` + ovUUID(4) + `/` + ovUUID(7) + `">what changed</a>`,
				`href="/compare/` + ovUUID(3) + `/` + ovUUID(4) + `">what changed</a>`,
			},
			lacks: []string{ovUUID(5), "More inputs"},
		},
		{name: "bad cursor", url: "/job/r/reproducibility?cursor=x", status: http.StatusBadRequest},
		{name: "unknown job", url: "/job/nope/reproducibility", status: http.StatusNotFound},
	})
}

func TestSiteReproducibility(t *testing.T) {
	env := reproEnv(t)
	var got struct {
		Jobs []struct {
			Job     string         `json:"job"`
			AllTime map[string]int `json:"all_time"`
			Share   *float64       `json:"share"`
		} `json:"jobs"`
		AllTime map[string]int `json:"all_time"`
		Last30d map[string]int `json:"last_30_days"`
	}
	getJSONInto(t, env, "/reproducibility?sort=share", &got)
	site := map[string]int{"reproducible": 1, "not_reproducible": 1, "unverified": 3}
	if !reflect.DeepEqual(got.AllTime, site) || !reflect.DeepEqual(got.Last30d, site) {
		t.Errorf("site totals %v / %v, want %v", got.AllTime, got.Last30d, site)
	}
	if len(got.Jobs) != 2 || got.Jobs[0].Job != "r" || got.Jobs[1].Job != "other" {
		t.Fatalf("jobs %+v", got.Jobs)
	}
	for i, want := range []float64{25, 0} {
		if s := got.Jobs[i].Share; s == nil || *s != want {
			t.Errorf("share of %s = %v, want %v", got.Jobs[i].Job, s, want)
		}
	}
	runScenarios(t, env, []scenario{
		{
			name: "html", url: "/reproducibility", status: http.StatusOK,
			has: []string{"<title>Reproducibility</title>", `<a href="/job/r/reproducibility">r</a>`,
				`<a href="/job/other/reproducibility">other</a>`, "<strong>20 %</strong> of 5 inputs reproducible"},
		},
		{
			name: "filter fragment", url: "/reproducibility?q=OTH", status: http.StatusOK,
			headers: []string{"HX-Request", "true"},
			has:     []string{`<a href="/job/other/reproducibility">other</a>`},
			lacks:   []string{`<a href="/job/r/reproducibility">`, "<html", "Last 30 days</header>"},
		},
		{name: "bad sort", url: "/reproducibility?sort=x", status: http.StatusBadRequest},
	})
}

func TestCompareReproducibility(t *testing.T) {
	env := reproEnv(t)
	type pair struct {
		MainBinary struct {
			Left      *string `json:"left"`
			Right     *string `json:"right"`
			Identical bool    `json:"identical"`
		} `json:"main_binary"`
		SameInput bool `json:"same_input"`
	}
	for _, c := range []struct {
		l, r            int
		identical, same bool
		line            string
	}{
		{1, 2, true, true, "Same input, identical main binaries: the build reproduced."},
		{1, 3, false, true, "Same input, different main binaries: not reproduced."},
		{3, 4, true, false, "Different inputs, identical main binaries: output unchanged by the input change."},
		{1, 6, false, false, "Different inputs, different main binaries."},
	} {
		url := "/compare/" + ovUUID(c.l) + "/" + ovUUID(c.r)
		var got pair
		getJSONInto(t, env, url, &got)
		if got.MainBinary.Identical != c.identical || got.SameInput != c.same ||
			got.MainBinary.Left == nil || got.MainBinary.Right == nil {
			t.Errorf("%s: %+v, want identical %v same input %v", url, got, c.identical, c.same)
		}
		runScenarios(t, env, []scenario{{name: url, url: url, status: http.StatusOK, has: []string{c.line}}})
	}
	runScenarios(t, env, []scenario{{name: "itself", url: "/compare/" + ovUUID(1) + "/" + ovUUID(1), status: http.StatusOK,
		has: []string{"Both sides are the same build: there is nothing to compare."}}})
	var failed pair
	getJSONInto(t, env, "/compare/"+ovUUID(4)+"/"+ovUUID(5), &failed)
	if failed.MainBinary.Right != nil || failed.MainBinary.Identical || !failed.SameInput {
		t.Errorf("compare with a failed build: %+v", failed)
	}
}

// The job page's rows carry the verdict of their build's input.
func TestJobPageReproducibilityColumn(t *testing.T) {
	env := reproEnv(t)
	var got struct {
		Builds []struct {
			UUID            string `json:"uuid"`
			Reproducibility *struct {
				Verdict   string `json:"verdict"`
				Builds    int    `json:"builds"`
				Uploaders int    `json:"uploaders"`
			} `json:"reproducibility"`
		} `json:"builds"`
	}
	getJSONInto(t, env, "/job/r/failed?platform=debian-12", &got)
	want := map[string]string{
		ovUUID(7): "reproducible 2 1", ovUUID(5): "none", ovUUID(4): "unverified 1 1",
		ovUUID(2): "not-reproducible 2 2",
	}
	if len(got.Builds) != len(want) {
		t.Fatalf("rows %+v", got.Builds)
	}
	for _, b := range got.Builds {
		s := "none"
		if r := b.Reproducibility; r != nil {
			s = fmt.Sprintf("%s %d %d", r.Verdict, r.Builds, r.Uploaders)
		}
		if s != want[b.UUID] {
			t.Errorf("%s: %s, want %s", b.UUID, s, want[b.UUID])
		}
	}
	runScenarios(t, env, []scenario{{
		name: "column", url: "/job/r?platform=debian-12", status: http.StatusOK,
		has: []string{"<th>Reproducible</th>",
			`<span class="verdict verdict-reproducible"><span class="mark" aria-hidden="true">✓</span> reproducible</span></a> <small>×2</small>`,
			`<span class="verdict verdict-not-reproducible"><span class="mark" aria-hidden="true">✗</span> not reproducible</span></a> <small>×2, 2 uploaders</small>`},
	}})
}

// The front page marks each job and platform's latest build.
func TestFrontPageReproducibilityMark(t *testing.T) {
	env := reproEnv(t)
	runScenarios(t, env, []scenario{{
		name: "marks", url: "/", status: http.StatusOK,
		has: []string{
			// r on debian-12: build 7, input I3, reproduced.
			`<a href="/job/r/reproducibility" class="verdict verdict-reproducible" title="reproducible, 2 builds of this input"><span class="mark" aria-hidden="true">✓</span><span class="visually-hidden">reproducible</span></a>`,
			// r on ubuntu and other: one build each.
			`class="verdict verdict-unverified" title="unverified, 1 build of this input"`,
		},
	}})
}

// The badge adds the verdict of the newest build's input.
func TestBadgeReproducibility(t *testing.T) {
	env := reproEnv(t)
	runScenarios(t, env, []scenario{
		{name: "job", url: "/job/r/badge.svg", status: http.StatusOK,
			has: []string{">debian-12: ok, reproducible<", ">ubuntu-24.04: ok, unverified<"}},
	})
	// A new build of I1 on debian-12 with a third binary: not reproducible.
	r := env.Upload(t, "/upload", ovUser, ovPass, ovBuild{Job: "r", N: 10, Bin: "D", Files: reproInputs("I1")}.encode(t))
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	runScenarios(t, env, []scenario{
		{name: "not reproducible", url: "/job/r/badge.svg?platform=debian-12", status: http.StatusOK,
			has: []string{">debian-12: ok, not reproducible<", `fill="#fe7d37"`}},
	})
}

// The build JSON tells the same story as the per-job view and the compare
// page over the same builds.
func TestBuildReproducibilityJSON(t *testing.T) {
	env := reproEnv(t)
	type standing struct {
		Reproducibility *struct {
			Verdict      string   `json:"verdict"`
			Uploader     string   `json:"uploader"`
			Independent  bool     `json:"independent"`
			ReproducedBy []string `json:"reproduced_by"`
			DiffersFrom  []string `json:"differs_from"`
			Unchanged    []string `json:"same_output_other_input"`
		} `json:"reproducibility"`
	}
	for _, c := range []struct {
		n    int
		want string
	}{
		{1, "not-reproducible builder true [" + ovUUID(2) + "] [" + ovUUID(3) + "] []"},
		{2, "not-reproducible second true [" + ovUUID(1) + "] [" + ovUUID(3) + "] []"},
		{3, "not-reproducible builder false [] [" + ovUUID(2) + " " + ovUUID(1) + "] [" + ovUUID(4) + "]"},
		{7, "reproducible builder false [" + ovUUID(6) + "] [] []"},
		{8, "unverified builder false [] [] []"},
		{5, "none"},
	} {
		var got standing
		getJSONInto(t, env, "/job/r/build/"+ovUUID(c.n), &got)
		s := "none"
		if r := got.Reproducibility; r != nil {
			s = fmt.Sprintf("%s %s %v %v %v %v", r.Verdict, r.Uploader, r.Independent, r.ReproducedBy, r.DiffersFrom, r.Unchanged)
		}
		if s != c.want {
			t.Errorf("build %d: %s, want %s", c.n, s, c.want)
		}
	}
}
