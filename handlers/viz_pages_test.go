package handlers_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// vizEnv has the shared vector success_hvt (a 13-package opam switch) and
// build 1 of job "viz" with that switch and a main binary whose symbols
// carry OCaml names (two modules of mirage-crypto, so it zooms).
func vizEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	upload(t, env, rec{job: "viz", uuid: testUUID(1), start: t0, files: append(
		vectorFiles(t, "success_hvt.full", "opam-switch"), builder.File{Path: "bin/viz.hvt", Data: gccOCamlELF(t)})}.encode(t))
	return env
}

// The graph page: a package selected with ?package= shows its version,
// dependencies (build ones marked), reverse dependencies and opam file in
// the side panel, marked in the drawing with its neighbours; htmx gets
// only the panel. ?q= highlights and lists the matching packages; htmx
// gets only the drawing. Bad input is a 4xx.
func TestVizDependenciesPage(t *testing.T) {
	env := vizEnv(t)
	url := buildURL("viz", testUUID(1)) + "/vizdependencies"

	full := page(t, env, url+"?package=mirage-runtime")
	assertContains(t, "selected package", full,
		`<h1>Opam dependencies</h1>`,
		`<h2>mirage-runtime <small>4.5.1</small></h2>`,
		`<h3>5 dependencies</h3>`,
		`<a href="`+url+`?package=dune" hx-get="`+url+`?package=dune">dune</a></li>`,
		`<h3>1 reverse dependency</h3>`,
		`<a href="`+url+`?package=mirage-unikernel-hello-hvt" hx-get="`+url+`?package=mirage-unikernel-hello-hvt">mirage-unikernel-hello-hvt</a>`,
		`<summary>opam file</summary>`, `opam-version: &#34;2.0&#34;`,
		`<g id="p-mirage-runtime" class="n sel">`, `<g id="p-dune" class="n nb">`,
		`<g id="p-ptime" class="n">`, // not a neighbour
		`<line data-from="mirage-runtime" data-to="lwt" class="e on"`, `<line data-from="mirage-unikernel-hello-hvt" data-to="mirage-runtime" class="e on"`,
		`<div id="viz-figure" class="viz-figure has-selection">`,
		`<a href="?package=ocaml" hx-get="?package=ocaml">`,
	)
	r := get(t, env, url+"?package=mirage-unikernel-hello-hvt", "HX-Request", "true", "HX-Target", "viz-panel")
	if body := string(r.Body); r.Status != http.StatusOK || !strings.HasPrefix(body, `<aside id="viz-panel"`) ||
		!strings.Contains(body, `<h2>mirage-unikernel-hello-hvt <small>dev</small></h2>`) ||
		!strings.Contains(body, `?package=dune">dune</a> <small>(build)</small>`) || strings.Contains(body, "<svg") {
		t.Errorf("panel fragment: status %d\n%s", r.Status, body)
	}

	r = get(t, env, url+"?package=ocaml", "HX-Request", "true", "HX-Target", "viz-graph")
	if body := string(r.Body); r.Status != http.StatusOK || !strings.HasPrefix(body, `<div class="viz-graph" id="viz-graph"`) ||
		!strings.Contains(body, `<g id="p-ocaml" class="n sel">`) || !strings.Contains(body, `<h2>ocaml <small>4.14.2</small></h2>`) ||
		strings.Contains(body, "<h1>") {
		t.Errorf("graph fragment: status %d\n%.1000s", r.Status, body)
	}

	filtered := page(t, env, url+"?q=MIRAGE")
	assertContains(t, "filter", filtered,
		`2 packages match “MIRAGE”:`,
		`<a href="`+url+`?package=mirage-runtime&amp;q=MIRAGE" hx-get="`+url+`?package=mirage-runtime&amp;q=MIRAGE">mirage-runtime</a>`,
		`<g id="p-mirage-runtime" class="n hit">`, `<g id="p-mirage-unikernel-hello-hvt" class="n root hit">`,
		`<input type="search" name="q" value="MIRAGE"`)
	assertLacks(t, "filter", filtered, `<g id="p-ocaml" class="n hit">`)
	r = get(t, env, url+"?q=ocaml", "HX-Request", "true", "HX-Target", "viz-figure")
	if body := string(r.Body); r.Status != http.StatusOK || !strings.HasPrefix(body, `<div id="viz-figure"`) ||
		!strings.Contains(body, `<g id="p-ocaml" class="n hit">`) || strings.Contains(body, "<aside") {
		t.Errorf("figure fragment: status %d\n%.1000s", r.Status, body)
	}
	assertContains(t, "hostile filter", page(t, env, url+"?q=%3Cscript%3E"), `No package matches “&lt;script&gt;”.`)

	runScenarios(t, env, []scenario{
		{name: "unknown package", url: url + "?package=no-such-package", status: http.StatusNotFound},
		{name: "markup package", url: url + "?package=%3Cb%3E", status: http.StatusNotFound},
		{name: "long filter", url: url + "?q=" + strings.Repeat("x", 201), status: http.StatusBadRequest},
	})
}

// The treemap page: libraries link to ?lib= (their modules, with a way
// back), htmx gets only the map; the table lists every size; an unknown
// library is a 404.
func TestVizTreemapPage(t *testing.T) {
	env := vizEnv(t)
	url := buildURL("viz", testUUID(1)) + "/viztreemap"
	assertContains(t, "treemap", page(t, env, url),
		`<h1>Binary dissection</h1>`,
		`<a href="?lib=mirage-crypto" hx-get="?lib=mirage-crypto" class="zoom">`,
		`<th scope="row"><a href="?lib=mirage-crypto">mirage-crypto</a></th><td class="n">7096</td>`,
		"<tr><td>Hash</td><td class=\"n\">2000</td>")
	zoomed := page(t, env, url+"?lib=mirage-crypto")
	assertContains(t, "zoomed", zoomed,
		`<a href="`+url+`" hx-get="`+url+`" class="viz-back">← All libraries</a> · Modules of <strong>mirage-crypto</strong>`,
		`<title>Cipher_block&#10;5.0 KiB (5096 bytes)`)
	assertLacks(t, "zoomed", zoomed, `class="zoom"`)
	r := get(t, env, url+"?lib=mirage-crypto", "HX-Request", "true", "HX-Target", "viz-map")
	if body := string(r.Body); r.Status != http.StatusOK || !strings.HasPrefix(body, `<div id="viz-map"`) || strings.Contains(body, "<table") {
		t.Errorf("map fragment: status %d\n%.1000s", r.Status, body)
	}
	for _, lib := range []string{"no-such-library", "fmt", "%3Cb%3E"} {
		if r := get(t, env, url+"?lib="+lib); r.Status != http.StatusNotFound {
			t.Errorf("?lib=%s: status %d, want 404", lib, r.Status)
		}
	}
}

// The build page previews ours as a picture that links to the full view;
// the picture is an SVG image with its style inside and no way to run
// anything. A file of the reference's tools is framed, sandboxed.
func TestVizPreview(t *testing.T) {
	env := vizEnv(t)
	build := buildURL("viz", testUUID(1))
	assertContains(t, "build page", page(t, env, build),
		`<a href="`+build+`/vizdependencies" class="viz-preview"><img src="`+build+`/vizdependencies/preview.svg"`,
		`<a href="`+build+`/viztreemap" class="viz-preview"><img src="`+build+`/viztreemap/preview.svg"`)
	for _, kind := range []string{"vizdependencies", "viztreemap"} {
		r := get(t, env, build+"/"+kind+"/preview.svg")
		body := string(r.Body)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/svg+xml" ||
			!strings.HasPrefix(body, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(body, "><style>") {
			t.Errorf("%s preview: status %d %q\n%.300s", kind, r.Status, r.Header.Get("Content-Type"), body)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script") {
			t.Errorf("%s preview: CSP %q", kind, csp)
		}
	}
	if r := get(t, env, buildURL("viz", testUUID(1))+"/nothing/preview.svg"); r.Status != http.StatusNotFound {
		t.Errorf("unknown preview: %d", r.Status)
	}

	// The reference's graph (a higher version) wins: framed, no picture.
	sw := vectorFiles(t, "success_hvt.full", "opam-switch")[0]
	dir := filepath.Join(env.Dir, "_cache", "dependencies_3")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sha256Hex(sw.Data)+".html"), []byte("<script>graph()</script>"), 0o644); err != nil {
		t.Fatal(err)
	}
	upload(t, env, rec{job: "viz", uuid: testUUID(2), start: t0.Add(1e12), files: append(
		vectorFiles(t, "success_hvt.full", "opam-switch"), binary("bin/viz.hvt", "no symbols"))}.encode(t))
	html := page(t, env, buildURL("viz", testUUID(2)))
	assertContains(t, "framed", html, `<iframe src="`+buildURL("viz", testUUID(2))+`/vizdependencies" title="Opam dependencies" loading="lazy" sandbox="allow-scripts">`)
	assertLacks(t, "framed", html, "preview.svg", "viztreemap")
	if r := get(t, env, buildURL("viz", testUUID(2))+"/vizdependencies/preview.svg"); r.Status != http.StatusNotFound {
		t.Errorf("preview of the reference's graph: %d, want 404", r.Status)
	}
}

// gccOCamlELF is gccELF with two modules in mirage-crypto and one in fmt.
func gccOCamlELF(t *testing.T) []byte {
	t.Helper()
	return gccELFSource(t, `
const char camlMirage_crypto__Cipher_block__tbl_1[5096] = {1};
const char camlMirage_crypto__Hash__sha_3[2000] = {1};
const char camlFmt__pp_5[700] = {1};
int main(int argc, char **argv) { return camlMirage_crypto__Cipher_block__tbl_1[argc] + camlMirage_crypto__Hash__sha_3[argc] + camlFmt__pp_5[argc]; }
`)
}
