package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

func TestLatestRedirect(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env,
		ovBuild{Job: "j", N: 1, Bin: "A"},
		ovBuild{Job: "j", N: 2, Bin: "B", Platform: "ubuntu-24.04"},
		ovBuild{Job: "j", N: 3, Result: builder.Result{Kind: builder.Exited, Code: 1}},
		ovBuild{Job: "never", N: 4},
		ovBuild{Job: "sp ace", N: 5, Bin: "s"},
	)
	loc := func(l string) map[string]string { return map[string]string{"Location": l} }
	b := "/job/j/build/"
	runScenarios(t, env, []scenario{
		{name: "latest", url: "/job/j/build/latest", status: http.StatusFound, header: loc(b + ovUUID(2))},
		{name: "platform", url: "/job/j/build/latest?platform=debian-12", status: http.StatusFound, header: loc(b + ovUUID(1))},
		{name: "trailing slash", url: "/job/j/build/latest/", status: http.StatusFound, header: loc(b + ovUUID(2))},
		{name: "main binary", url: "/job/j/build/latest/main-binary?platform=ubuntu-24.04", status: http.StatusFound, header: loc(b + ovUUID(2) + "/main-binary")},
		{name: "artifact", url: "/job/j/build/latest/f/bin/j.hvt", status: http.StatusFound, header: loc(b + ovUUID(2) + "/f/bin/j.hvt")},
		{name: "segments re-encoded", url: "/job/j/build/latest/f/a%20b/c%3Fd", status: http.StatusFound, header: loc(b + ovUUID(2) + "/f/a%20b/c%3Fd")},
		{name: "job name encoded", url: "/job/sp%20ace/build/latest", status: http.StatusFound, header: loc("/job/sp%20ace/build/" + ovUUID(5))},
		{name: "dot-dot refused", url: "/job/j/build/latest/f/%2E%2E/x", status: http.StatusBadRequest},
		{name: "no platform match", url: "/job/j/build/latest?platform=nope", status: http.StatusNotFound},
		{name: "never succeeded", url: "/job/never/build/latest", status: http.StatusNotFound, has: []string{"This page does not exist"}},
		{name: "unknown job", url: "/job/nope/build/latest/main-binary", status: http.StatusNotFound},
		{name: "unknown job, JSON", url: "/job/nope/build/latest", headers: []string{"Accept", "application/json"}, status: http.StatusNotFound,
			has: []string{`{"error":"Job not found"}`}},
		{name: "head", method: http.MethodHead, url: "/job/j/build/latest", status: http.StatusFound, header: loc(b + ovUUID(2))},
		// The build route still gets everything else.
		{name: "bad uuid", url: "/job/j/build/latestx", status: http.StatusBadRequest, has: []string{"Bad uuid"}},
	})
}

func TestHashSearch(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env,
		ovBuild{Job: "j", N: 1, Bin: "A", Switch: true},
		ovBuild{Job: "k", N: 2, Bin: "A"}, // same binary, newer, another job
		ovBuild{Job: "j", N: 3, Bin: "B"},
	)
	sw := shaHex(string(ovOpamSwitch(t)))
	loc := func(l string) map[string]string { return map[string]string{"Location": l} }
	runScenarios(t, env, []scenario{
		{name: "newest with hash", url: "/hash?sha256=" + shaHex("A"), status: http.StatusFound, header: loc("/job/k/build/" + ovUUID(2))},
		{name: "upper case", url: "/hash?sha256=" + strings.ToUpper(shaHex("B")), status: http.StatusFound, header: loc("/job/j/build/" + ovUUID(3))},
		{name: "blanks trimmed", url: "/hash?sha256=%20" + shaHex("B") + "%20", status: http.StatusFound, header: loc("/job/j/build/" + ovUUID(3))},
		{name: "any artifact", url: "/hash?sha256=" + sw, status: http.StatusFound, header: loc("/job/j/build/" + ovUUID(1))},
		{name: "unknown", url: "/hash?sha256=" + shaHex("nothing"), status: http.StatusNotFound,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"}, has: []string{"This page does not exist"}},
		{name: "missing", url: "/hash", status: http.StatusBadRequest},
		{name: "empty", url: "/hash?sha256=", status: http.StatusBadRequest},
		{name: "not hex", url: "/hash?sha256=zz", status: http.StatusBadRequest},
		{name: "odd length", url: "/hash?sha256=abc", status: http.StatusBadRequest},
		{name: "bad, JSON", url: "/hash?sha256=zz", headers: []string{"Accept", "application/json"}, status: http.StatusBadRequest,
			has: []string{`{"error":"Bad request: sha256 is not hex"}`}},
		{name: "head", method: http.MethodHead, url: "/hash?sha256=" + shaHex("B"), status: http.StatusFound},
	})
}

func TestTrailingSlash(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "j", N: 1, Bin: "A"})
	loc := func(l string) map[string]string { return map[string]string{"Location": l} }
	runScenarios(t, env, []scenario{
		{name: "root", url: "/", status: http.StatusOK},
		{name: "job", url: "/job/j/", status: http.StatusMovedPermanently, header: loc("/job/j")},
		{name: "query kept", url: "/failed-builds/?count=5&platform=x", status: http.StatusMovedPermanently, header: loc("/failed-builds?count=5&platform=x")},
		{name: "escapes kept", url: "/job/a%20b/", status: http.StatusMovedPermanently, header: loc("/job/a%20b")},
		{name: "several slashes", url: "/all-builds///", status: http.StatusMovedPermanently, header: loc("/all-builds")},
		{name: "no open redirect", url: "//evil.example/", status: http.StatusMovedPermanently, header: loc("/evil.example")},
		{name: "head", method: http.MethodHead, url: "/job/j/", status: http.StatusMovedPermanently, header: loc("/job/j")},
		{name: "latest subtree kept", url: "/job/j/build/latest/", status: http.StatusFound, header: loc("/job/j/build/" + ovUUID(1))},
		{name: "artifact subtree kept", url: "/job/j/build/" + ovUUID(1) + "/f/", status: http.StatusNotFound},
		{name: "post untouched", method: http.MethodPost, url: "/upload/", status: http.StatusUnauthorized},
	})
}

func TestOverviewMisc(t *testing.T) {
	env := apptest.New(t)
	runScenarios(t, env, []scenario{
		{
			name: "api", url: "/api", status: http.StatusOK,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			has: []string{"<title>JSON API</title>", "<code>GET /failed-builds</code>", "next_cursor", "jobs_by_section",
				`<li><a href="/api">JSON API</a></li>`},
		},
		{
			name: "unknown route", url: "/no/such/page?x=1", status: http.StatusNotFound,
			header: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			has:    []string{"<title>Page not found</title>", "<h1>This page does not exist</h1>", "You requested the page <code>/no/such/page?x=1</code>"},
		},
		{name: "empty front page", url: "/", status: http.StatusOK, has: []string{"No successful builds yet."}},
		{name: "empty JSON", url: "/", headers: []string{"Accept", "application/json"}, status: http.StatusOK,
			has: []string{`{"jobs":[],"jobs_by_section":{}}`}},
	})
}
