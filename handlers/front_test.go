package handlers_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// frontBuilds: "hello" has a section (from the vector's opam switch) and two
// platforms, its newest debian build failed; "plain" has no tags; "old"
// last succeeded 60 days ago; "broken" never succeeded.
func frontBuilds() []ovBuild {
	return []ovBuild{
		{Job: "hello", N: 1, Bin: "hello v1", Switch: true},
		{Job: "hello", N: 2, Platform: "ubuntu-24.04", Bin: "hello v1u", Switch: true},
		{Job: "hello", N: 3, Result: builder.Result{Kind: builder.Exited, Code: 2}, Switch: true},
		{Job: "plain", N: 4, Bin: "plain"},
		{Job: "old", N: 5, Bin: "old", Start: time.Now().AddDate(0, 0, -60)},
		{Job: "broken", N: 6, Result: builder.Result{Kind: builder.Exited, Code: 1}},
	}
}

func TestFrontPage(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, frontBuilds()...)
	runScenarios(t, env, []scenario{
		{
			name: "front page", url: "/", status: http.StatusOK,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			vary:   []string{"HX-Request", "Accept"},
			has: []string{
				"<title>Reproducible OPAM builds</title>",
				"<h1>Reproducible OPAM Builds</h1>",
				"<h2>Unikernels</h2>", "<h2>Uncategorized</h2>",
				`<a href="/job/hello">hello</a>`, `<a href="/job/plain">plain</a>`,
				`<a href="/job/hello?platform=ubuntu-24.04">ubuntu-24.04</a>`,
				"Download hello.hvt (8B)", "Download hello.hvt (9B)",
				`href="/job/hello/build/` + ovUUID(1) + `"`,
				`href="/failed-builds" class="link-red">View Latest Failed Builds</a>`,
				`<a href="/all-builds">View All Jobs</a>`,
				"Execution Environments",
			},
			lacks: []string{">broken<", ">old<", ovUUID(3), "View Active Jobs"},
			check: func(t *testing.T, r apptest.Response) {
				b := string(r.Body)
				// Sections in byte order: "Uncategorized" < "Unikernels".
				if strings.Index(b, "<h2>Uncategorized</h2>") > strings.Index(b, "<h2>Unikernels</h2>") {
					t.Error("sections not in byte order")
				}
				// debian-12 before ubuntu-24.04 within the job.
				if strings.Index(b, ">debian-12<") > strings.Index(b, ">ubuntu-24.04<") {
					t.Error("platforms not sorted")
				}
			},
		},
		{
			name: "all builds", url: "/all-builds", status: http.StatusOK,
			has:   []string{`<a href="/job/old">old</a>`, `<a href="/">View Active Jobs</a>`, `<a href="/job/hello">hello</a>`},
			lacks: []string{">broken<", "Include jobs without"},
		},
		{
			name: "expired toggle", url: "/?expired=1", status: http.StatusOK,
			has: []string{`<a href="/job/old">old</a>`, `name="expired" value="1" checked`},
		},
		{
			name: "filter by name", url: "/?q=PLA", status: http.StatusOK,
			has:   []string{`<a href="/job/plain">plain</a>`, `value="PLA"`},
			lacks: []string{`<a href="/job/hello">`, "<h2>Unikernels</h2>"},
		},
		{
			name: "filter by section", url: "/?q=unikern", status: http.StatusOK,
			has:   []string{`<a href="/job/hello">hello</a>`},
			lacks: []string{`<a href="/job/plain">`},
		},
		{
			name: "filter by platform text", url: "/?q=ubuntu", status: http.StatusOK,
			has:   []string{`<a href="/job/hello?platform=ubuntu-24.04">`},
			lacks: []string{`<a href="/job/plain">`, `<a href="/job/hello?platform=debian-12">`},
		},
		{
			name: "platform chip", url: "/?platform=ubuntu-24.04", status: http.StatusOK,
			has:   []string{`<a href="/job/hello?platform=ubuntu-24.04">`, `value="ubuntu-24.04" checked`, `value="debian-12">`},
			lacks: []string{`<a href="/job/plain">`},
		},
		{
			name: "no match", url: "/?q=nothing-like-this", status: http.StatusOK,
			has: []string{"No job matches."},
		},
		{
			name: "htmx fragment", url: "/?q=plain", headers: []string{"HX-Request", "true"}, status: http.StatusOK,
			vary:  []string{"HX-Request"},
			has:   []string{`<section class="job-section">`, `<a href="/job/plain">plain</a>`},
			lacks: []string{"<html", "<h1>", "<form"},
		},
		{
			name: "history restore gets the page", url: "/", headers: []string{"HX-Request", "true", "HX-History-Restore-Request", "true"},
			status: http.StatusOK, has: []string{"<html", "<h1>Reproducible OPAM Builds</h1>"},
		},
		{
			name: "head", method: http.MethodHead, url: "/", status: http.StatusOK,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
		},
	})
}

// The overview JSON keeps the reference's shape and its order quirk:
// sections in reverse byte order (reference §6.1).
func TestFrontJSON(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, frontBuilds()...)
	r := env.Get(t, "/all-builds", "Accept", "application/json")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	var got struct {
		Jobs []struct {
			Name      string  `json:"name"`
			Synopsis  *string `json:"synopsis"`
			Platforms []struct {
				Platform   string `json:"platform"`
				UUID       string `json:"uuid"`
				MainBinary *struct {
					Filename string `json:"filename"`
					Size     int64  `json:"size"`
				} `json:"main_binary"`
			} `json:"platforms"`
		} `json:"jobs"`
		BySection map[string][]struct {
			Name string `json:"name"`
		} `json:"jobs_by_section"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	var names []string
	for _, j := range got.Jobs {
		names = append(names, j.Name)
	}
	// Unikernels > Uncategorized; jobs within a section by name.
	if want := "hello old plain"; strings.Join(names, " ") != want {
		t.Errorf("jobs %v, want %s", names, want)
	}
	if got.Jobs[0].Synopsis == nil || got.Jobs[1].Synopsis != nil {
		t.Errorf("synopsis: hello %v, old %v; want set and null", got.Jobs[0].Synopsis, got.Jobs[1].Synopsis)
	}
	if p := got.Jobs[0].Platforms; len(p) != 2 || p[0].UUID != ovUUID(1) || p[0].MainBinary == nil || p[0].MainBinary.Filename != "hello.hvt" {
		t.Errorf("hello platforms %+v", p)
	}
	body := string(r.Body)
	if i, j := strings.Index(body, `"Unikernels":[`), strings.Index(body, `"Uncategorized":[`); i < 0 || j < 0 || i > j {
		t.Errorf("jobs_by_section keys not in reverse order: %s", body)
	}
	if len(got.BySection["Uncategorized"]) != 2 {
		t.Errorf("Uncategorized: %+v", got.BySection["Uncategorized"])
	}
	if strings.Contains(body, `"latest"`) {
		t.Error(`"latest" present without a solo5 manifest`)
	}

	// The front page JSON applies the expiry rule.
	r = env.Get(t, "/", "Accept", "application/json")
	if strings.Contains(string(r.Body), `"old"`) || !strings.Contains(string(r.Body), `"plain"`) {
		t.Errorf("/ JSON: %s", r.Body)
	}
}

// --expired-jobs: 0 never expires; N hides platforms whose newest successful
// build finished N or more days ago, per platform (reference §9).
func TestFrontExpiry(t *testing.T) {
	now := time.Now()
	builds := []ovBuild{
		{Job: "recent", N: 1, Bin: "r", Start: now.AddDate(0, 0, -2)},
		{Job: "month", N: 2, Bin: "m", Start: now.AddDate(0, 0, -40)},
		{Job: "month", N: 3, Platform: "fresh-os", Bin: "m2", Start: now.AddDate(0, 0, -1)},
		{Job: "ancient", N: 4, Bin: "a", Start: now.AddDate(-3, 0, 0)},
	}
	for _, tc := range []struct {
		days  int
		has   []string
		lacks []string
	}{
		{0, []string{">recent<", ">month<", ">ancient<", ">debian-12<", "fresh-os"}, nil},
		{30, []string{">recent<", ">month<", "fresh-os"}, []string{">ancient<", `href="/job/month?platform=debian-12"`}},
		{100, []string{">recent<", `href="/job/month?platform=debian-12"`}, []string{">ancient<"}},
		{1, []string{"fresh-os"}, []string{">recent<", ">ancient<"}},
	} {
		t.Run("expired-jobs="+itoa(tc.days), func(t *testing.T) {
			env := apptest.New(t, func(c *server.Config) { c.ExpiredJobs = tc.days })
			ovEnv(t, env, builds...)
			runScenarios(t, env, []scenario{{name: "front", url: "/", status: http.StatusOK, has: tc.has, lacks: tc.lacks}})
		})
	}
}

// Only old builds (the shared sample records are years old): the empty front
// page says that expiry hides them and links to them; with --expired-jobs 0
// there is no toggle, and a count meets its noun in the right number.
func TestFrontExpiredHint(t *testing.T) {
	old := []ovBuild{
		{Job: "ancient", N: 1, Bin: "a", Start: time.Now().AddDate(-3, 0, 0)},
		{Job: "older", N: 2, Bin: "o", Start: time.Now().AddDate(-2, 0, 0)},
	}
	for _, tc := range []struct {
		days  int
		build []ovBuild
		has   []string
		lacks []string
	}{
		{30, old, []string{"No job has a successful build in the last 30 days; 2 older jobs are hidden.",
			`<a href="/?expired=1">Show expired jobs</a>`, "in the last 30 days</label>"}, []string{"No successful builds yet", ">ancient<"}},
		{1, old[:1], []string{"in the last 1 day;", "1 older job is hidden", "in the last 1 day</label>"}, []string{"1 days"}},
		{0, old, []string{">ancient<"}, []string{"Include jobs without", "0 days", "Show expired jobs"}},
		{30, nil, []string{"No successful builds yet."}, []string{"Show expired jobs"}},
	} {
		t.Run("expired-jobs="+itoa(tc.days), func(t *testing.T) {
			env := apptest.New(t, func(c *server.Config) { c.ExpiredJobs = tc.days })
			ovEnv(t, env, tc.build...)
			runScenarios(t, env, []scenario{{name: "front", url: "/", status: http.StatusOK, has: tc.has, lacks: tc.lacks}})
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// The banner endpoint: 204 while nothing arrived, then "N new builds".
func TestNewBuildsBanner(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "a", N: 1, Bin: "a"}, ovBuild{Job: "b", N: 2, Bin: "b"})
	runScenarios(t, env, []scenario{
		{name: "nothing new", url: "/new-builds?since=2", status: http.StatusNoContent},
		{name: "nothing new for the job", url: "/new-builds?since=1&job=a", status: http.StatusNoContent},
		{
			name: "two new", url: "/new-builds?since=0", headers: []string{"HX-Request", "true", "HX-Current-URL", "http://x.example/?q=a"},
			status: http.StatusOK, has: []string{"2 new builds", `<a href="/?q=a">show</a>`}, lacks: []string{"<html"},
		},
		{name: "one new for the job", url: "/new-builds?since=0&job=b", status: http.StatusOK, has: []string{"1 new build ", `<a href="/job/b">show</a>`}},
		{name: "only the path of the current URL", url: "/new-builds?since=0", headers: []string{"HX-Current-URL", "//evil.example/x"}, status: http.StatusOK, has: []string{`<a href="/x">show</a>`}, lacks: []string{"evil"}},
		{name: "bad since", url: "/new-builds?since=x", status: http.StatusBadRequest},
		{name: "unknown job", url: "/new-builds?since=0&job=nope", status: http.StatusNotFound},
	})
	// The pages poll it with the newest build id.
	runScenarios(t, env, []scenario{
		{name: "front polls", url: "/", status: http.StatusOK, has: []string{`hx-get="/new-builds?since=2"`, `hx-trigger="every 30s"`}},
		{name: "job polls", url: "/job/a", status: http.StatusOK, has: []string{`hx-get="/new-builds?since=2&amp;job=a"`}},
	})
}

// A front page row is kept per build between pages (issue 17: a miss
// writes only the rows that changed), so what else a row shows must still
// follow the data: an upload of an older build of the same input leaves
// the job's newest build as it is but changes its reproducibility counts,
// and the next front page shows them.
func TestFrontRowFollowsReproCounts(t *testing.T) {
	env := apptest.New(t)
	inputs := []builder.File{
		{Path: db.OpamSwitch, Data: []byte("opam-version: \"2.0\"\n")},
		{Path: db.BuildEnvironment, Data: []byte("PATH=/bin\n")},
		{Path: db.SystemPackages, Data: []byte("libc 1\n")},
	}
	ovEnv(t, env,
		ovBuild{Job: "hello", N: 2, Bin: "v1", Files: inputs},
		ovBuild{Job: "other", N: 3, Bin: "o1"})
	front := func(want, lacks string) {
		t.Helper()
		r := env.Get(t, "/")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), want) || strings.Contains(string(r.Body), lacks) {
			t.Errorf("front page: status %d, want %q and not %q in\n%s", r.Status, want, lacks, r.Body)
		}
	}
	front("1 build of this input", "2 builds of this input")
	ovUpload(t, env, ovBuild{Job: "hello", N: 1, Bin: "v1", Files: inputs}) // older: the row's build stays
	front("2 builds of this input", "1 build of this input")
	if r := env.Get(t, "/"); !strings.Contains(string(r.Body), `href="/job/hello/build/`+ovUUID(2)+`"`) {
		t.Errorf("front page does not show hello's newest build %s", ovUUID(2))
	}
}
