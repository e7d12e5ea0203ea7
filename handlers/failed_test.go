package handlers_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

func failedBuilds() []ovBuild {
	return []ovBuild{
		{Job: "a", N: 1, Result: builder.Result{Kind: builder.Exited, Code: 1}},
		{Job: "b", N: 2, Result: builder.Result{Kind: builder.Signalled, Code: -7}, Platform: "freebsd-14"},
		{Job: "a", N: 3, Bin: "ok"},
		{Job: "c", N: 4, Result: builder.Result{Kind: builder.Msg, Msg: "path already existed"}},
		{Job: "c", N: 5, Result: builder.Result{Kind: builder.Stopped, Code: -16}},
		// Exit 0 without a main binary is a failure too (reference §1).
		{Job: "b", N: 6, Platform: "freebsd-14"},
	}
}

var failedRow = regexp.MustCompile(`href="/job/[^/]+/build/0+-0000-4000-8000-0+(\d+)"`)

func failedRows(body []byte) string {
	var out []string
	for _, m := range failedRow.FindAllSubmatch(body, -1) {
		out = append(out, string(m[1]))
	}
	return strings.Join(out, " ")
}

func wantFailed(want string) func(t *testing.T, r apptest.Response) {
	return func(t *testing.T, r apptest.Response) {
		t.Helper()
		if got := failedRows(r.Body); got != want {
			t.Errorf("rows %q, want %q", got, want)
		}
	}
}

func TestFailedBuildsPage(t *testing.T) {
	empty := apptest.New(t)
	runScenarios(t, empty, []scenario{{
		name: "none", url: "/failed-builds", status: http.StatusOK,
		has: []string{"<title>Failed builds</title>", "<h1>No failed builds to list</h1>", "&#127881;"},
	}})

	env := apptest.New(t)
	ovEnv(t, env, failedBuilds()...)
	runScenarios(t, env, []scenario{
		{
			name: "all", url: "/failed-builds", status: http.StatusOK,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			vary:   []string{"HX-Request", "Accept"},
			has: []string{"<h1>Failed builds</h1>", "exited 1", "signalled SIGKILL (-7)", "execution aborted: path already existed",
				"stopped SIGSTOP (-16)", "exited 0, no main binary", `<a href="/job/b">b</a>`, `<a href="/job/b?platform=freebsd-14">freebsd-14</a>`,
				`<option value="freebsd-14">freebsd-14</option>`},
			// A build that exited 0 is listed as failed, never with the
			// success mark.
			lacks: []string{"View the next", "&#9745;", "result-ok"},
			check: wantFailed("6 5 4 2 1"),
		},
		{name: "platform", url: "/failed-builds?platform=freebsd-14", status: http.StatusOK, check: wantFailed("6 2"),
			has: []string{`<option value="freebsd-14" selected>`}},
		{name: "exited non-zero", url: "/failed-builds?result=exited", status: http.StatusOK, check: wantFailed("1")},
		{name: "signalled", url: "/failed-builds?result=signalled", status: http.StatusOK, check: wantFailed("2")},
		{name: "stopped", url: "/failed-builds?result=stopped", status: http.StatusOK, check: wantFailed("5")},
		{name: "aborted", url: "/failed-builds?result=aborted", status: http.StatusOK, check: wantFailed("4")},
		{name: "filtered to nothing", url: "/failed-builds?platform=none", status: http.StatusOK,
			has: []string{"<h1>Failed builds</h1>", "No failed builds match."}},
		{name: "bad result filter", url: "/failed-builds?result=bogus", status: http.StatusBadRequest},
		{
			name: "count and next", url: "/failed-builds?count=2", status: http.StatusOK, check: wantFailed("6 5"),
			has: []string{"View the next 2 failed builds <a href=\"/failed-builds?count=2&amp;cursor=", `hx-trigger="revealed"`},
		},
		{name: "start offset (reference)", url: "/failed-builds?count=2&start=2", status: http.StatusOK, check: wantFailed("4 2")},
		{name: "bad count falls back", url: "/failed-builds?count=x", status: http.StatusOK, check: wantFailed("6 5 4 2 1")},
		{
			name: "htmx filter", url: "/failed-builds?platform=freebsd-14", headers: []string{"HX-Request", "true"}, status: http.StatusOK,
			has: []string{`<table class="stack failed-builds">`}, lacks: []string{"<html", "<h1>"}, check: wantFailed("6 2"),
		},
		{name: "head", method: http.MethodHead, url: "/failed-builds", status: http.StatusOK},
	})

	// Next pages follow the cursor, keeping the filters; htmx gets rows only.
	r := env.Get(t, "/failed-builds?count=2&result=")
	m := regexp.MustCompile(`href="(/failed-builds\?count=2&amp;cursor=[0-9.]+)"`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no next link: %s", r.Body)
	}
	next := strings.ReplaceAll(string(m[1]), "&amp;", "&")
	r = env.Get(t, next, "HX-Request", "true")
	if got := failedRows(r.Body); got != "4 2" || strings.Contains(string(r.Body), "<table") {
		t.Errorf("next rows %q: %.300s", got, r.Body)
	}
	r = env.Get(t, "/failed-builds?platform=freebsd-14&count=1")
	if !strings.Contains(string(r.Body), "/failed-builds?platform=freebsd-14&amp;count=1&amp;cursor=") {
		t.Errorf("next link drops the platform: %s", r.Body)
	}
}

func TestFailedBuildsJSON(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, failedBuilds()...)
	type page struct {
		Builds []struct {
			Job        string          `json:"job"`
			UUID       string          `json:"uuid"`
			Platform   string          `json:"platform"`
			StartTime  string          `json:"start_time"`
			FinishTime string          `json:"finish_time"`
			Result     json.RawMessage `json:"result"`
			Reason     string          `json:"reason"`
		} `json:"builds"`
		NextCursor *string `json:"next_cursor"`
	}
	get := func(url string) page {
		t.Helper()
		r := env.Get(t, url, "Accept", "application/json")
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", url, r.Status, r.Body)
		}
		var p page
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := get("/failed-builds?limit=3")
	if len(p.Builds) != 3 || p.NextCursor == nil {
		t.Fatalf("page 1: %+v", p)
	}
	b := p.Builds[0]
	start := ovBuild{N: 6}.start()
	if b.Job != "b" || b.UUID != ovUUID(6) || b.Platform != "freebsd-14" ||
		b.StartTime != start.Format("2006-01-02T15:04:05")+"-00:00" || string(b.Result) != `{"kind":"exited","code":0}` {
		t.Errorf("first build %+v", b)
	}
	if b.Reason != "exited 0, no main binary" || p.Builds[1].Reason != "stopped SIGSTOP (-16)" {
		t.Errorf("reasons %q, %q", b.Reason, p.Builds[1].Reason)
	}
	if r := string(p.Builds[2].Result); r != `{"kind":"msg","msg":"path already existed"}` {
		t.Errorf("aborted result %s", r)
	}
	p2 := get("/failed-builds?limit=3&cursor=" + *p.NextCursor)
	if len(p2.Builds) != 2 || p2.NextCursor != nil || p2.Builds[0].UUID != ovUUID(2) {
		t.Errorf("page 2: %+v", p2)
	}
	if p := get("/failed-builds?result=signalled"); len(p.Builds) != 1 || string(p.Builds[0].Result) != `{"kind":"signalled","code":-7}` {
		t.Errorf("signalled: %+v", p)
	}
}
