package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

func needDiffoscope(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("diffoscope"); err != nil {
		t.Skip("diffoscope is not installed (.ci/run installs it)")
	}
}

type diffoscopeState struct {
	State     string  `json:"state"`
	ReportURL string  `json:"report_url"`
	Seconds   float64 `json:"seconds"`
	Reason    string  `json:"reason"`
}

func diffoscopeJSON(t *testing.T, env *apptest.Env, url string) diffoscopeState {
	t.Helper()
	var s diffoscopeState
	getJSONInto(t, env, url, &s)
	return s
}

func TestCompareBinariesDiffoscope(t *testing.T) {
	needDiffoscope(t)
	env := reproEnv(t)
	differ := "/compare/" + ovUUID(1) + "/" + ovUUID(3)
	runScenarios(t, env, []scenario{
		{name: "offered", url: differ, status: http.StatusOK,
			has: []string{`<a href="` + differ + `/diffoscope" id="compare-binaries">Compare the binaries with diffoscope</a>`}},
		{name: "not offered for identical binaries", url: "/compare/" + ovUUID(1) + "/" + ovUUID(2), status: http.StatusOK,
			lacks: []string{"compare-binaries"}},
		{name: "identical", url: "/compare/" + ovUUID(1) + "/" + ovUUID(2) + "/diffoscope", status: http.StatusOK,
			has: []string{"<strong>Identical:</strong>"}, lacks: []string{"hx-trigger=\"every"}},
		{name: "failed build", url: "/compare/" + ovUUID(4) + "/" + ovUUID(5) + "/diffoscope", status: http.StatusNotFound},
		{name: "no report yet", url: differ + "/diffoscope/report", status: http.StatusNotFound},
		{name: "bad uuid", url: "/compare/x/" + ovUUID(3) + "/diffoscope", status: http.StatusBadRequest},
	})

	first := diffoscopeJSON(t, env, differ+"/diffoscope")
	if first.State != "queued" && first.State != "running" {
		t.Fatalf("first request: %+v", first)
	}
	var s diffoscopeState
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s = diffoscopeJSON(t, env, differ+"/diffoscope"); s.State != "queued" && s.State != "running" {
			break
		}
	}
	if s.State != "done" || s.ReportURL != differ+"/diffoscope/report" {
		t.Fatalf("final state %+v", s)
	}
	if n := env.App.Diffoscope.Started(); n != 1 {
		t.Errorf("%d diffoscope runs, want 1 (polling must not start more)", n)
	}
	r := env.Do(t, httptest.NewRequest(http.MethodGet, s.ReportURL, nil))
	if r.Status != http.StatusOK {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
		"Content-Type": "text/html; charset=utf-8", "Content-Disposition": "",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("report header %s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(string(r.Body), "bin/r.hvt") && !strings.Contains(string(r.Body), "diffoscope") {
		t.Errorf("report:\n%.1000s", r.Body)
	}
	// The same two binaries from other builds share the cached report.
	other := diffoscopeJSON(t, env, "/compare/"+ovUUID(2)+"/"+ovUUID(4)+"/diffoscope")
	if other.State != "done" || env.App.Diffoscope.Started() != 1 {
		t.Errorf("same binaries, other builds: %+v after %d runs", other, env.App.Diffoscope.Started())
	}
	runScenarios(t, env, []scenario{{name: "page shows the report", url: differ + "/diffoscope", status: http.StatusOK,
		has: []string{`<iframe class="diffoscope-report" src="` + differ + `/diffoscope/report" title="diffoscope report" sandbox></iframe>`}}})
}

func TestCompareBinariesTimeout(t *testing.T) {
	needDiffoscope(t)
	env := apptest.New(t, func(c *server.Config) { c.DiffoscopeTimeout = 50 * time.Millisecond })
	env.AddUser(t, ovUser, ovPass, false)
	ovUpload(t, env, ovBuild{Job: "t", N: 1, Bin: "A"}, ovBuild{Job: "t", N: 2, Bin: "B"})
	url := "/compare/" + ovUUID(1) + "/" + ovUUID(2) + "/diffoscope"
	var s diffoscopeState
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if s = diffoscopeJSON(t, env, url); s.State != "queued" && s.State != "running" {
			break
		}
	}
	if s.State != "timed-out" {
		t.Fatalf("state %+v, want timed-out", s)
	}
	runScenarios(t, env, []scenario{{name: "page", url: url, status: http.StatusOK, has: []string{"<strong>Timed out:</strong>"}}})
	b, _ := json.Marshal(s)
	if !strings.Contains(string(b), `"reason":"killed after 50ms"`) {
		t.Errorf("JSON %s", b)
	}
}

// "Compare the binaries" shows the run's progress, then the report in
// place, and Back returns to the comparison.
func TestBrowserCompareBinaries(t *testing.T) {
	needDiffoscope(t)
	ctx := browsertest.New(t)
	env := reproEnv(t)
	base := browsertest.Serve(t, env.App)
	compare := base + "/compare/" + ovUUID(1) + "/" + ovUUID(3)
	if err := chromedp.Do(ctx, chromedp.Navigate(compare)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#compare-binaries")),
		chromedp.WaitReady(chromedp.CSS("#diffoscope-status"))); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatalf("htmx did not load: %v", err)
	}
	// The first answer shows the run queued or running and polls.
	if n, err := browsertest.Count(ctx, `#diffoscope-status[hx-get][aria-live]`); err != nil || n != 1 {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("no polling status (%d, %v):\n%s", n, err, html)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := browsertest.WaitCount(ctx, "iframe.diffoscope-report", 1, 60*time.Second); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("the report did not appear: %v\n%s", err, html)
	}
	t.Logf("report after %s", time.Since(t0))
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page reloaded instead of updating in place (%v)", err)
	}
	if n, _ := browsertest.Count(ctx, "#diffoscope-status[hx-get]"); n != 0 {
		t.Error("the finished page still polls")
	}
	// Back, as the browser's button does (history.back; chromedp's
	// NavigateBack waits for a load event a page from the back/forward
	// cache never fires).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any]("history.back()")); err != nil {
		t.Fatal(err)
	}
	var loc string
	back := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !back; time.Sleep(100 * time.Millisecond) {
		loc, _ = chromedp.Run(ctx, chromedp.Location())
		back, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#compare-binaries") !== null`))
	}
	if loc != compare || !back {
		t.Errorf("Back went to %q (comparison shown: %v), want %q", loc, back, compare)
	}
}

// The per-job and site reproducibility views narrow as you type, in place,
// and the address bar keeps the filter.
func TestBrowserReproFilters(t *testing.T) {
	ctx := browsertest.New(t)
	env := reproEnv(t)
	base := browsertest.Serve(t, env.App)
	for _, c := range []struct {
		url, rows, typed string
		before, after    int
	}{
		// Job r: four inputs (three on debian-12, one on ubuntu-24.04).
		{"/job/r/reproducibility", "#repro-inputs tr.repro-input", "ubuntu", 4, 1},
		// Site: jobs r and other.
		{"/reproducibility", "#repro-jobs tbody tr", "oth", 2, 1},
	} {
		t.Run(c.url, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+c.url)); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.WaitHTMX(ctx); err != nil {
				t.Fatalf("htmx did not load: %v", err)
			}
			if n, err := browsertest.Count(ctx, c.rows); err != nil || n != c.before {
				t.Fatalf("rows before filtering: %d, %v", n, err)
			}
			if err := browsertest.MarkPage(ctx); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), c.typed)); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.WaitCount(ctx, c.rows, c.after, 5*time.Second); err != nil {
				html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
				t.Fatalf("not narrowed: %v\n%s", err, html)
			}
			if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
				t.Errorf("the page reloaded (%v)", err)
			}
			// The rows narrow with the first letters already ("ubu"); the
			// address follows the last answer, which a fast server may
			// not have given yet.
			var loc string
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if loc, _ = chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "q="+c.typed) || time.Now().After(deadline) {
					break
				}
			}
			if !strings.Contains(loc, "q="+c.typed) {
				t.Errorf("address %q does not carry the filter", loc)
			}
		})
	}
}
