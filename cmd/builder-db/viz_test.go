package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/store"
)

// builder-db viz draws every successful build's graph once per switch,
// marks the directories done, and skips what is cached on the next run;
// verify-cache-dir then finds the graphs in place.
func TestVizCommand(t *testing.T) {
	dir := helloDir(t)
	r := mustRun(t, "", "viz", "--jobs", "2", "-d", dir)
	// success_hvt and compare_left share a switch: two graphs for three
	// successful builds; their two binaries have no symbols.
	if want := "3 builds: 2 drawn, 0 already cached, 2 cannot be drawn, 0 failed\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	cache := filepath.Join(dir, store.CacheDir)
	for _, name := range []string{"dependencies_3/" + shaSwitchSL + ".html", "dependencies_3/.done", "treemap_3/.done"} {
		if _, err := os.Stat(filepath.Join(cache, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	graph, err := os.ReadFile(filepath.Join(cache, "dependencies_3", shaSwitchSL+".html"))
	if err != nil || !strings.Contains(string(graph), "Dependencies of mirage-unikernel-hello-hvt.dev") {
		t.Errorf("graph: %v\n%s", err, graph)
	}
	r = mustRun(t, "", "viz", "-d", dir)
	if want := "3 builds: 0 drawn, 2 already cached, 2 cannot be drawn, 0 failed\n"; r.stdout != want {
		t.Errorf("second run: stdout %q, want %q", r.stdout, want)
	}
	if r := runCmd(t, "", "verify-cache-dir", "-d", dir); r.code != 0 || strings.Contains(r.stdout, "error:") {
		t.Errorf("verify-cache-dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantFail(t, "--jobs must be between 1 and 64", "", "viz", "--jobs", "0", "-d", dir)

	// verify-cache-dir reads our files: one cut short is an error, another
	// tool's file in our directory a warning (it is served sandboxed).
	path := filepath.Join(cache, "dependencies_3", shaSwitchSL+".html")
	if err := os.WriteFile(path, graph[:len(graph)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "verify-cache-dir", "-d", dir)
	if w := "error: dependencies_3/" + shaSwitchSL + ".html: incomplete"; r.code != 1 || !strings.Contains(r.stdout, w) {
		t.Errorf("cut short: exit %d, stdout %q; want %q", r.code, r.stdout, w)
	}
	if err := os.WriteFile(path, []byte("<html>opam-graph</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, "", "verify-cache-dir", "-d", dir)
	if w := "warning: dependencies_3/" + shaSwitchSL + ".html: not written by builder-web"; r.code != 0 || !strings.Contains(r.stdout, w) {
		t.Errorf("another tool's file: exit %d, stdout %q; want %q", r.code, r.stdout, w)
	}
}

// vacuum removes the cached graphs whose opam-switch is gone, in every
// version directory, and keeps the others.
func TestVacuumPrunesVisualizations(t *testing.T) {
	dir := helloDir(t)
	mustRun(t, "", "viz", "-d", dir)
	cache := filepath.Join(dir, store.CacheDir)
	ref := filepath.Join(cache, "dependencies_1", shaSwitchSL+".html")
	if err := os.MkdirAll(filepath.Dir(ref), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ref, []byte("reference graph"), 0o644); err != nil {
		t.Fatal(err)
	}
	// success_hvt goes, compare_left still has the shared switch.
	r := mustRun(t, "", "vacuum", "older-than", "2024-09-04T13:24:24.437Z", "-d", dir)
	if strings.Contains(r.stdout, "visualization") {
		t.Errorf("stdout %q: nothing to prune yet", r.stdout)
	}
	if _, err := os.Stat(ref); err != nil {
		t.Errorf("graph of a stored switch removed: %v", err)
	}
	r = mustRun(t, "", "vacuum", "older-than", "2024-09-05T23:00:00+00:00", "--job", "hello-hvt", "-d", dir)
	if !strings.HasSuffix(r.stdout, "removed 2 cached visualizations whose inputs are gone\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, p := range []string{ref, filepath.Join(cache, "dependencies_3", shaSwitchSL+".html")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want removed", p, err)
		}
	}
	left, _ := os.ReadDir(filepath.Join(cache, "dependencies_3"))
	if len(left) != 2 { // compare_right's graph and .done
		t.Errorf("dependencies_3 holds %d entries, want 2", len(left))
	}
}
