package handlers_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/apptest"
	"github.com/builder-web/builder-web/app/builder"
)

// placeViz writes _cache/<dir>/<hash>.html as the visualization scripts do.
func placeViz(t *testing.T, env *apptest.Env, dir, hash, content string) {
	t.Helper()
	d := filepath.Join(env.Dir, "_cache", dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if hash != "" {
		if err := os.WriteFile(filepath.Join(d, hash+".html"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Visualizations come from _cache/<kind>_<N>/<hash>.html, the highest N
// that has the file; a missing one is 404, the tidy iframe page when the
// build page's iframe asks.
func TestVisualizations(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	debug := []byte("debug sections")
	withDebug := rec{job: "viz", uuid: testUUID(1), start: t0, files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "debug/viz.hvt.debug", Data: debug})}
	upload(t, env, withDebug.encode(t))
	sc := sidecarOf(t, "success_hvt")
	var opamSwitch string
	for _, a := range sc.Derived.Stored {
		if a.Path == "opam-switch" {
			opamSwitch = a.SHA256
		}
	}
	deps := buildURL("hello-hvt", uuidSuccess) + "/vizdependencies"
	treemap := buildURL("viz", testUUID(1)) + "/viztreemap"

	notFound := func(step, url string) {
		t.Helper()
		r := get(t, env, url)
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "This page does not exist") {
			t.Errorf("%s: GET %s: status %d, want the 404 page\n%s", step, url, r.Status, r.Body)
		}
		r = get(t, env, url, "Sec-Fetch-Dest", "iframe")
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "<h2>Visualization not found</h2>") {
			t.Errorf("%s: GET %s from an iframe: status %d, want the visualization 404\n%s", step, url, r.Status, r.Body)
		}
		if r := head(t, env, url, "Sec-Fetch-Dest", "iframe"); r.Status != http.StatusNotFound {
			t.Errorf("%s: HEAD %s: status %d, want 404", step, url, r.Status)
		}
	}
	found := func(step, url, want string) {
		t.Helper()
		r := get(t, env, url, "Sec-Fetch-Dest", "iframe")
		if r.Status != http.StatusOK || string(r.Body) != want {
			t.Errorf("%s: GET %s: status %d body %q, want 200 %q", step, url, r.Status, r.Body, want)
		}
		if got := r.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", step, got)
		}
		if got := r.Header.Get("ETag"); got != `"`+sha256Hex([]byte(want))+`"` {
			t.Errorf("%s: ETag %q", step, got)
		}
	}

	notFound("no cache", deps)
	notFound("no cache", treemap)
	placeViz(t, env, "dependencies_1", opamSwitch, "v1 graph")
	found("version 1", deps, "v1 graph")
	notFound("only dependencies cached", treemap)

	// The highest version wins; a version without the file falls back.
	placeViz(t, env, "dependencies_2", opamSwitch, "v2 graph")
	placeViz(t, env, "dependencies_10", "", "")
	placeViz(t, env, "dependencies_x", opamSwitch, "not a version")
	found("version 2 under an empty 10", deps, "v2 graph")
	placeViz(t, env, "dependencies_10", opamSwitch, "v10 graph")
	found("version 10", deps, "v10 graph")

	// The treemap is keyed by the debug binary, found by basename.
	placeViz(t, env, "treemap_1", sha256Hex(debug), "treemap")
	found("treemap", treemap, "treemap")
	// success_hvt has no debug binary.
	notFound("no debug binary", buildURL("hello-hvt", uuidSuccess)+"/viztreemap")
	// The other build's opam-switch has no graph.
	notFound("other opam-switch", buildURL("viz", testUUID(1))+"/vizdependencies")
}
