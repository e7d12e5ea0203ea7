package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
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
		if got := r.Header.Get("Content-Security-Policy"); got != "sandbox allow-scripts" {
			t.Errorf("%s: CSP %q, want the sandbox", step, got)
		}
	}

	// Ours is a page of the site (layout, page policy) that embeds the
	// drawing; the reference's files are served as they are, sandboxed.
	ours := func(step, url string) {
		t.Helper()
		r := get(t, env, url)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `<h1>Opam dependencies</h1>`) ||
			!strings.Contains(string(r.Body), `<svg xmlns="http://www.w3.org/2000/svg" class="viz-graph-svg few"`) {
			t.Errorf("%s: GET %s: status %d, want our graph page\n%.2000s", step, url, r.Status, r.Body)
		}
		if got := r.Header.Get("Content-Security-Policy"); !strings.Contains(got, "script-src 'self'") || strings.Contains(got, "sandbox") {
			t.Errorf("%s: CSP %q, want the page policy", step, got)
		}
	}

	notFound("no cache", treemap)
	// The upload drew our graph (version 2) in the background; it beats
	// the reference's version 1, a higher version beats it.
	waitFile(t, filepath.Join(env.Dir, "_cache", "dependencies_3", opamSwitch+".html"))
	placeViz(t, env, "dependencies_1", opamSwitch, "v1 graph")
	ours("ours over version 1", deps)
	notFound("only dependencies cached", treemap)
	placeViz(t, env, "dependencies_10", "", "")
	placeViz(t, env, "dependencies_x", opamSwitch, "not a version")
	ours("ours under an empty 10", deps)
	placeViz(t, env, "dependencies_10", opamSwitch, "v10 graph")
	found("version 10", deps, "v10 graph")
	// A file in our version's directory that we did not write (its first
	// line is not ours) is served as it is, sandboxed, too.
	placeViz(t, env, "treemap_3", sha256Hex(debug), "<html>modulectomy 2</html>")
	found("foreign file in our directory", treemap, "<html>modulectomy 2</html>")
	if err := os.Remove(filepath.Join(env.Dir, "_cache", "treemap_3", sha256Hex(debug)+".html")); err != nil {
		t.Fatal(err)
	}

	// The treemap is keyed by the debug binary, found by basename.
	placeViz(t, env, "treemap_1", sha256Hex(debug), "treemap")
	found("treemap", treemap, "treemap")
	// success_hvt has no debug binary.
	notFound("no debug binary", buildURL("hello-hvt", uuidSuccess)+"/viztreemap")
	// The other build's opam-switch has no graph.
	notFound("other opam-switch", buildURL("viz", testUUID(1))+"/vizdependencies")
}

// Without a cached file, the dependency graph is drawn from the build's
// opam-switch on the first request, stored under _cache/dependencies_<V>/
// by the switch's hash (shared by every build with that input), and served
// from there afterwards. An opam-switch that cannot be drawn has none.
func TestDependencyGraphDrawn(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	upload(t, env, rec{job: "viz", uuid: testUUID(1), start: t0, files: inputFiles("A")}.encode(t))
	var opamSwitch string
	for _, a := range sidecarOf(t, "success_hvt").Derived.Stored {
		if a.Path == "opam-switch" {
			opamSwitch = a.SHA256
		}
	}
	url := buildURL("hello-hvt", uuidSuccess) + "/vizdependencies"
	r := get(t, env, url)
	body := string(r.Body)
	if r.Status != http.StatusOK || !strings.Contains(body, "<strong>Dependencies of mirage-unikernel-hello-hvt.dev</strong>: 13 packages") ||
		!strings.Contains(body, "<svg") || !strings.Contains(body, `<g id="p-ocaml" class="n"><title>ocaml.4.14.2`) {
		t.Fatalf("GET %s: status %d, want the drawn graph\n%s", url, r.Status, body)
	}
	cached, err := os.ReadFile(filepath.Join(env.Dir, "_cache", "dependencies_3", opamSwitch+".html"))
	if err != nil || !strings.Contains(string(cached), `<g id="p-ocaml" class="n"><title>ocaml.4.14.2`) {
		t.Errorf("cache file: %v\n%.500s", err, cached)
	}
	// Our page embeds the drawing, never the cache file's own style.
	if strings.Contains(body, "<style") || strings.Contains(body, "<!DOCTYPE html>\n<!-- builder-web") {
		t.Errorf("the page embeds more than the drawing")
	}
	again := get(t, env, url)
	if again.Status != http.StatusOK || string(again.Body) != body {
		t.Errorf("second GET: status %d, want the same page", again.Status)
	}

	bad := buildURL("viz", testUUID(1)) + "/vizdependencies"
	if r := get(t, env, bad, "Sec-Fetch-Dest", "iframe"); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), "<h2>Visualization not found</h2>") {
		t.Errorf("GET %s (switch without a root): status %d, want the visualization 404\n%s", bad, r.Status, r.Body)
	}
}

// gccELF compiles a C program whose globals carry OCaml-style names into
// an unstripped ELF binary and returns its bytes.
func gccELF(t *testing.T) []byte { return gccELFSized(t, 4096) }

// gccELFSized is gccELF with a table of n bytes in mirage-crypto's
// Cipher_block module.
func gccELFSized(t *testing.T, n int) []byte {
	t.Helper()
	return gccELFSource(t, fmt.Sprintf("const char camlMirage_crypto__Cipher_block__tbl_1[%d] = {1};\n", n)+
		"int main(int argc, char **argv) { return camlMirage_crypto__Cipher_block__tbl_1[argc]; }\n")
}

// gccELFSource compiles C code into an unstripped ELF binary and returns
// its bytes; without gcc the test is skipped.
func gccELFSource(t *testing.T, code string) []byte {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "m")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Without a cached treemap, it is drawn from the debug binary, or from the
// main binary itself when that has symbols; a binary without symbols has
// none.
func TestTreemapDrawn(t *testing.T) {
	env := newEnv(t)
	elfBin := gccELF(t)
	upload(t, env, rec{job: "viz", uuid: testUUID(1), start: t0, files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "debug/viz.hvt.debug", Data: elfBin})}.encode(t))
	upload(t, env, rec{job: "viz", uuid: testUUID(2), start: t0.Add(time.Hour), files: append(inputFiles("B"),
		builder.File{Path: "bin/viz.hvt", Data: elfBin})}.encode(t))
	upload(t, env, rec{job: "viz", uuid: testUUID(3), start: t0.Add(2 * time.Hour), files: append(inputFiles("C"),
		binary("bin/viz.hvt", "Y"))}.encode(t))

	// Build 2's main binary is build 1's debug binary: drawn from the main
	// binary first, then shared through the cache.
	for _, uuid := range []string{testUUID(2), testUUID(1)} {
		url := buildURL("viz", uuid) + "/viztreemap"
		r := get(t, env, url)
		body := string(r.Body)
		if r.Status != http.StatusOK || !strings.Contains(body, "<strong>Sizes in the binary</strong>") ||
			!strings.Contains(body, "<title>mirage-crypto / Cipher_block&#10;4.0 KiB (4096 bytes)") ||
			!strings.Contains(body, `<table class="viz-sizes">`) {
			t.Errorf("GET %s: status %d, want the treemap\n%s", url, r.Status, body)
		}
		if got := r.Header.Get("Content-Security-Policy"); !strings.Contains(got, "script-src 'self'") {
			t.Errorf("CSP %q, want the page policy", got)
		}
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "_cache", "treemap_3", sha256Hex(elfBin)+".html")); err != nil {
		t.Errorf("treemap not cached by the binary's hash: %v", err)
	}
	url := buildURL("viz", testUUID(3)) + "/viztreemap"
	if r := get(t, env, url, "Sec-Fetch-Dest", "iframe"); r.Status != http.StatusNotFound ||
		!strings.Contains(string(r.Body), "<h2>Visualization not found</h2>") {
		t.Errorf("GET %s (no symbols): status %d, want the visualization 404", url, r.Status)
	}
}

// After an upload commits, its visualizations are drawn in the background:
// the cache files appear without any request for them.
func TestVisualizationsDrawnAfterUpload(t *testing.T) {
	env := newEnv(t)
	elfBin := gccELF(t)
	uploadVectors(t, env, "success_hvt")
	upload(t, env, rec{job: "viz", uuid: testUUID(1), start: t0, files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "viz.hvt.debug", Data: elfBin})}.encode(t))
	var opamSwitch string
	for _, a := range sidecarOf(t, "success_hvt").Derived.Stored {
		if a.Path == "opam-switch" {
			opamSwitch = a.SHA256
		}
	}
	want := []string{
		filepath.Join(env.Dir, "_cache", "dependencies_3", opamSwitch+".html"),
		filepath.Join(env.Dir, "_cache", "treemap_3", sha256Hex(elfBin)+".html"),
	}
	for _, p := range want {
		waitFile(t, p)
	}
}

// waitFile waits for the background to write a file and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not drawn in the background: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The compare page offers the sizes of two different main binaries: which
// libraries and modules grew or shrank (issue 13), from their symbols.
func TestCompareSizes(t *testing.T) {
	env := newEnv(t)
	upload(t, env, rec{job: "viz", uuid: testUUID(1), start: t0, files: append(inputFiles("A"),
		builder.File{Path: "bin/viz.hvt", Data: gccELFSized(t, 4096)})}.encode(t))
	upload(t, env, rec{job: "viz", uuid: testUUID(2), start: t0.Add(time.Hour), files: append(inputFiles("B"),
		builder.File{Path: "bin/viz.hvt", Data: gccELFSized(t, 8192)})}.encode(t))
	upload(t, env, rec{job: "viz", uuid: testUUID(3), start: t0.Add(2 * time.Hour), files: append(inputFiles("C"),
		binary("bin/viz.hvt", "not an ELF file"))}.encode(t))
	sizes := "/compare/" + testUUID(1) + "/" + testUUID(2) + "/sizes"
	assertContains(t, "compare page", page(t, env, "/compare/"+testUUID(1)+"/"+testUUID(2)), `hx-get="`+sizes+`"`)

	var got struct {
		Available bool `json:"available"`
		Sizes     []struct {
			Library string  `json:"library"`
			Module  string  `json:"module"`
			Left    int64   `json:"left"`
			Right   int64   `json:"right"`
			Change  int64   `json:"change"`
			Percent float64 `json:"percent"`
		} `json:"sizes"`
	}
	r := get(t, env, sizes, "Accept", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", sizes, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range got.Sizes {
		if d.Library == "mirage-crypto" && d.Module == "Cipher_block" {
			found = d.Left == 4096 && d.Right == 8192 && d.Change == 4096 && d.Percent == 100
		}
	}
	if !got.Available || !found {
		t.Errorf("sizes JSON: %s", r.Body)
	}
	assertContains(t, "sizes page", page(t, env, sizes), "<code>mirage-crypto</code>", "<code>Cipher_block</code>", "&#43;4.1kB <small>(&#43;100.0 %)</small>")

	// A binary without symbols: said so, never an error.
	r = get(t, env, "/compare/"+testUUID(1)+"/"+testUUID(3)+"/sizes", "Accept", "application/json")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"available":false`) {
		t.Errorf("sizes without symbols: %d %s", r.Status, r.Body)
	}
	assertContains(t, "sizes page without symbols", page(t, env, "/compare/"+testUUID(1)+"/"+testUUID(3)+"/sizes"),
		"has no symbol table")
}
