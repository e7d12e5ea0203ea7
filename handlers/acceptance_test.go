package handlers_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/comparetest"
)

// acceptanceBuild is a successful build with every file the pages and
// sub-resources look at: a main binary, its debug binary, the three
// comparison inputs and one more artifact.
type acceptanceBuild struct {
	uuid, job, platform string
	start               time.Time
	console, script     string
	readme              string
	drift               int
}

func (b acceptanceBuild) record(t *testing.T) []byte {
	t.Helper()
	u, err := builder.ParseUUID(b.uuid)
	if err != nil {
		t.Fatal(err)
	}
	e := &builder.Exec{Header: builder.Header{
		Job:     builder.Job{Name: b.job, Script: b.script, Platform: b.platform},
		UUID:    u,
		Console: []builder.ConsoleLine{{Delta: 2e9, Data: b.console}, {Delta: 1e9, Data: "starting"}},
		Start:   b.start,
		Finish:  b.start.Add(3*time.Minute + 4*time.Second),
	}}
	files := map[string][]byte{
		"bin/unikernel.hvt":         []byte("ELF binary of " + b.uuid),
		"debug/unikernel.hvt.debug": []byte("debug binary of " + b.uuid),
		"opam-switch":               comparetest.Switch(50, b.drift),
		"build-environment":         comparetest.Environment(b.drift),
		"system-packages":           comparetest.SystemPackages(40, b.drift),
		"some/path":                 []byte("foo"),
	}
	if b.readme != "" {
		files["README.md"] = []byte(b.readme)
	}
	for _, p := range []string{"bin/unikernel.hvt", "debug/unikernel.hvt.debug", "opam-switch", "build-environment", "system-packages", "some/path", "README.md"} {
		if data, ok := files[p]; ok {
			e.Files = append(e.Files, builder.File{Path: p, Data: data})
		}
	}
	rec, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func uploadAll(t *testing.T, env *apptest.Env, builds ...acceptanceBuild) {
	t.Helper()
	for _, b := range builds {
		if r := env.Upload(t, "/upload", "up", "secret-pw", b.record(t)); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: status %d (%s)", b.uuid, r.Status, r.Body)
		}
	}
}

// cacheViz puts visualizations for a build into _cache, as the reference's
// upload hook would (reference §10).
func cacheViz(t *testing.T, env *apptest.Env, b acceptanceBuild) {
	t.Helper()
	for kind, data := range map[string][]byte{
		"dependencies_1": comparetest.Switch(50, b.drift),
		"treemap_1":      []byte("debug binary of " + b.uuid),
	} {
		sum := sha256.Sum256(data)
		dir := filepath.Join(env.Dir, "_cache", kind)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])+".html"), []byte("<p>viz</p>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Reference §13.1: every URL the link helpers generate routes to a
// handler, including the ones albatross hard-codes.
func TestRouterLinkTable(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "secret-pw", false)
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := acceptanceBuild{uuid: "08455214-8a9b-413a-b116-a65353dc0743", job: "test", platform: "test",
		start: now.Add(-2 * time.Hour), console: "ok", script: "true", drift: 0}
	b := acceptanceBuild{uuid: "f63a5b8a-9ab3-40a3-8cfc-fcbc1dc68df9", job: "foo", platform: "test",
		start: now.Add(-time.Hour), console: "ok", script: "true", drift: 1}
	uploadAll(t, env, a, b)
	cacheViz(t, env, a)
	build := "/job/test/build/" + a.uuid
	fooSHA := sha256.Sum256([]byte("foo"))
	var links []scenario
	for _, tc := range []struct {
		url    string
		status int
	}{
		{"/", 200},
		{"/job/test?platform=test", 200},
		{"/job/test/failed?platform=test", 200},
		{build, 200},
		{build + "/main-binary", 302},
		{build + "/viztreemap", 200},
		{build + "/vizdependencies", 200},
		{build + "/script", 200},
		{build + "/console", 200},
		{build + "/all.tar.gz", 200},
		{build + "/exec", 200},
		{build + "/f/some/path", 200},
		{"/compare/" + a.uuid + "/" + b.uuid, 200},
		{"/failed-builds?count=2&start=1", 200},
		{"/job/test/build/latest/f/bin/unikernel.hvt", 302},
		{"/job/test/build/latest/", 302},
		{"/job/test/build/latest", 302},
		// Albatross's hard-coded links.
		{"/hash?sha256=" + hex.EncodeToString(fooSHA[:]), 302},
		{"/job/foo/build/latest", 302},
		{"/job/foo/build/" + b.uuid + "/main-binary", 302},
		{"/compare/08455214-8a9b-413a-b116-a65353dc0743/f63a5b8a-9ab3-40a3-8cfc-fcbc1dc68df9", 200},
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			sc := scenario{name: method + " " + tc.url, method: method, url: tc.url, status: tc.status}
			if method == http.MethodGet {
				sc.lacks = []string{"This page does not exist"} // routed, not the not-found page
			}
			links = append(links, sc)
		}
	}
	// The answers for an unknown build, a malformed UUID, an unknown and a
	// malformed hash.
	unknown := "/job/test/build/00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		url    string
		status int
	}{
		{unknown, 404}, {unknown + "/main-binary", 404}, {unknown + "/script", 404}, {unknown + "/console", 404},
		{unknown + "/exec", 404}, {unknown + "/all.tar.gz", 404}, {unknown + "/f/some/path", 404},
		{"/job/test/build/not-a-uuid", 400}, {"/job/test/build/not-a-uuid/script", 400},
		{"/compare/not-a-uuid/" + b.uuid, 400}, {"/compare/" + a.uuid + "/00000000-0000-4000-8000-000000000000", 404},
		{"/hash?sha256=" + strings.Repeat("ab", 32), 404}, {"/hash?sha256=xyz", 400}, {"/hash", 400},
		{"/job/nonexistent", 404}, {"/job/nonexistent/build/latest", 404}, {"/no/such/route", 404},
	} {
		links = append(links, scenario{name: "GET " + tc.url, url: tc.url, status: tc.status})
	}
	runScenarios(t, env, links)
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// Every page works without JavaScript: starting at the front page, every
// link of every page answers, and none is a
// server error or a dead end.
func TestPagesWithoutJavaScript(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "secret-pw", false)
	for _, v := range []string{"success_hvt", "compare_left", "compare_right", "failed_exit1", "signalled_sigkill", "utf8_longline", "msg_aborted"} {
		if r := env.Upload(t, "/upload", "up", "secret-pw", apptest.Vector(t, v+".full")); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", v, r.Status, r.Body)
		}
	}
	// The vectors are from 2024: with expiry they would not be on "/".
	seen := map[string]bool{}
	queue := []string{"/", "/all-builds"}
	pages := 0
	for len(queue) > 0 && pages < 600 {
		u := queue[0]
		queue = queue[1:]
		if seen[u] {
			continue
		}
		seen[u] = true
		pages++
		r := env.Get(t, u)
		switch {
		case r.Status == http.StatusOK:
		case r.Status == http.StatusMovedPermanently || r.Status == http.StatusFound || r.Status == http.StatusSeeOther:
			if loc := r.Header.Get("Location"); loc != "" {
				queue = append(queue, loc)
			}
			continue
		case r.Status == http.StatusNotFound && (strings.HasSuffix(u, "/vizdependencies") || strings.HasSuffix(u, "/viztreemap")):
			continue // no visualization cached: a 404 by design (reference §10)
		default:
			t.Errorf("GET %s: status %d", u, r.Status)
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(r.Body), -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			pu, err := url.Parse(link)
			if err != nil || pu.Host != "" || pu.Scheme != "" || !strings.HasPrefix(pu.Path, "/") {
				continue
			}
			if pu.Path == "/logout" || strings.HasPrefix(pu.Path, "/admin") || pu.Path == "/login" {
				continue // forms that change state, and the login page, are tested elsewhere
			}
			pu.Fragment = ""
			if !seen[pu.String()] {
				queue = append(queue, pu.String())
			}
		}
	}
	if pages < 40 {
		t.Errorf("crawled only %d pages", pages)
	}
}

// XSS: a job name, platform, console line, script, artifact path or README
// carrying markup is shown escaped everywhere.
func TestPagesEscapeEverything(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "secret-pw", false)
	now := time.Now().UTC().Truncate(time.Millisecond)
	const job = `<img src=x onerror=alert(1)>`
	evil := acceptanceBuild{uuid: "0bad0bad-0bad-4bad-8bad-0bad0bad0bad", job: job,
		platform: `<script>alert("platform")</script>`, start: now.Add(-time.Hour),
		console: `<script>alert("console")</script>`, script: `<script>alert("script")</script>`,
		readme: "# Title <script>alert(\"readme\")</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(2)>\n"}
	other := evil
	other.uuid, other.drift, other.start = "0bad0bad-0bad-4bad-8bad-0bad0bad0bae", 1, now.Add(-30*time.Minute)
	uploadAll(t, env, evil, other)
	esc := url.PathEscape(job)
	base := "/job/" + esc + "/build/" + evil.uuid
	var pages []scenario
	for _, u := range []string{
		"/", "/all-builds", "/failed-builds", "/job/" + esc, "/job/" + esc + "/failed",
		base, base + "/console/view", base + "/console/view?lines=all&q=script",
		"/compare/" + evil.uuid + "/" + other.uuid, "/feed.atom", "/job/" + esc + "/feed.atom", "/job/" + esc + "/badge.svg",
		"/job/" + esc + "?platform=" + url.QueryEscape(evil.platform),
	} {
		pages = append(pages, scenario{name: u, url: u, status: http.StatusOK,
			lacks: []string{"<script>alert", "<img src=x onerror", "javascript:alert", `onerror=alert(2)>`}})
	}
	runScenarios(t, env, pages)
	// The evidence that the strings are there, escaped.
	if r := env.Get(t, base); !strings.Contains(string(r.Body), "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("build page does not show the job name escaped")
	}
}
