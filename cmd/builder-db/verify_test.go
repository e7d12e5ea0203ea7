package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
)

// A data directory filled by include of every valid vector verifies clean.
func TestVerifyDataDirClean(t *testing.T) {
	valid, _ := vectors(t)
	dirs := map[string]bool{}
	for _, d := range includeAllValid(t, valid) {
		dirs[d] = true
	}
	for dir := range dirs {
		r := mustRun(t, "", "verify-data-dir", "-d", dir)
		if !strings.HasSuffix(r.stdout, ": 0 errors, 0 warnings\n") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("verify-data-dir of a fresh include: %q", r.stdout)
		}
		if !strings.Contains(r.stdout, "checked ") || r.stderr != "" {
			t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
		}
	}
}

func TestVerifyDataDirFindings(t *testing.T) {
	dir := helloDir(t)
	bin := artifactFile(t, dir, shaBinR)
	orig, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	relBin := filepath.ToSlash(strings.TrimPrefix(bin, dir+string(filepath.Separator)))
	console := filepath.Join(dir, "hello-hvt", uuidL, "console.txt")
	unreferenced := filepath.Join(dir, store.ArtifactsDir, "ab", "ab"+strings.Repeat("0", 62))

	cases := []struct {
		name    string
		break_  func() error
		restore func() error
		code    int
		want    []string
	}{
		{"artifact deleted",
			func() error { return os.Remove(bin) },
			func() error { return os.WriteFile(bin, orig, 0o644) },
			1, []string{"error: " + relBin + ": missing (artifact bin/hello.hvt of build hello-hvt/" + uuidR + ")"}},
		{"artifact truncated",
			func() error { return os.Truncate(bin, 100) },
			func() error { return os.WriteFile(bin, orig, 0o644) },
			1, []string{"error: " + relBin + ": size 100 on disk, 16384 in the database"}},
		{"artifact corrupt",
			func() error {
				b := append([]byte{}, orig...)
				b[0] ^= 0xff
				return os.WriteFile(bin, b, 0o644)
			},
			func() error { return os.WriteFile(bin, orig, 0o644) },
			1, []string{"error: " + relBin + ": sha256 on disk is "}},
		{"console deleted",
			func() error { return os.Remove(console) },
			func() error { return os.WriteFile(console, []byte("0.000s:x\n"), 0o644) },
			1, []string{"error: hello-hvt/" + uuidL + "/console.txt: missing (console of build " + uuidL + ")"}},
		{"untracked files",
			func() error {
				return errorsJoin(os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644),
					os.WriteFile(filepath.Join(dir, "hello-hvt", uuidL, ".hidden"), nil, 0o644),
					os.WriteFile(filepath.Join(dir, store.ArtifactsDir, "README"), nil, 0o644))
			},
			func() error {
				return errorsJoin(os.Remove(filepath.Join(dir, "notes.txt")),
					os.Remove(filepath.Join(dir, "hello-hvt", uuidL, ".hidden")),
					os.Remove(filepath.Join(dir, store.ArtifactsDir, "README")))
			},
			0, []string{
				"warning: notes.txt: untracked file",
				"warning: hello-hvt/" + uuidL + "/.hidden: untracked file",
				"warning: _artifacts/README: untracked file",
				": 0 errors, 3 warnings\n",
			}},
		{"unreferenced artifact",
			func() error {
				return errorsJoin(os.MkdirAll(filepath.Dir(unreferenced), 0o755), os.WriteFile(unreferenced, []byte("x"), 0o644))
			},
			func() error { return os.Remove(unreferenced) },
			0, []string{"warning: _artifacts/ab/ab000000", ": unreferenced artifact file"}},
		{"staging and cache are expected",
			func() error {
				return errorsJoin(os.MkdirAll(filepath.Join(dir, store.CacheDir, "treemap_1"), 0o755),
					os.WriteFile(filepath.Join(dir, store.CacheDir, "treemap_1", "x.html"), []byte("x"), 0o644),
					os.MkdirAll(filepath.Join(dir, store.StagingDir, "u"), 0o755),
					os.WriteFile(filepath.Join(dir, store.StagingDir, "u", "artifact-1"), []byte("x"), 0o644))
			},
			func() error { return nil },
			0, []string{": 0 errors, 0 warnings\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.break_(); err != nil {
				t.Fatal(err)
			}
			r := runCmd(t, "", "verify-data-dir", "-d", dir)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stdout %q, stderr %q", r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout %q lacks %q", r.stdout, w)
				}
			}
			if c.code == 1 && !strings.Contains(r.stderr, "builder-db: 1 error found") {
				t.Errorf("stderr %q", r.stderr)
			}
			if err := c.restore(); err != nil {
				t.Fatal(err)
			}
			if r := runCmd(t, "", "verify-data-dir", "-d", dir); r.code != 0 || !strings.HasSuffix(r.stdout, ": 0 errors, 0 warnings\n") {
				t.Fatalf("after restoring: exit %d, %q", r.code, r.stdout)
			}
		})
	}
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestVerifyInputID(t *testing.T) {
	// success_hvt and compare_left have the same input id and the same
	// main binary: nothing to report.
	dir := helloDir(t)
	r := mustRun(t, "", "verify-input-id", "-d", dir)
	if r.stdout != "checked 3 successful builds with an input id: 0 warnings\n" {
		t.Errorf("stdout %q", r.stdout)
	}

	// A rebuild of the same inputs with another binary.
	other := testUUID(5)
	f := variant(t, other, day(8, 0), func(e *builder.Exec) {
		for i := range e.Files {
			if e.Files[i].Path == "bin/hello.hvt" {
				e.Files[i].Data = append([]byte("different "), e.Files[i].Data...)
			}
		}
	})
	mustRun(t, "", "include", "-d", dir, f)
	r = mustRun(t, "", "verify-input-id", "-d", dir)
	for _, w := range []string{
		"warning: input id f8612a91f41de0ef4f33d1de0163b761e3a79a8da027e82cf7d64e40076963e0: 2 different main binaries from the same input:\n",
		"  " + shaBinSL + ": hello-hvt/" + uuidS + ", hello-hvt/" + uuidL + "\n",
		": hello-hvt/" + other + "\n",
		"checked 4 successful builds with an input id: 1 warning\n",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout %q lacks %q", r.stdout, w)
		}
	}
}

func TestVerifyCacheDir(t *testing.T) {
	// A build with a debug binary next to its main binary (basename rule).
	dbg := testUUID(6)
	dir := helloDir(t, variant(t, dbg, day(9, 0), func(e *builder.Exec) {
		e.Files = append(e.Files, builder.File{Path: "debug/hello.hvt.debug", Data: []byte("debug info")})
	}))
	const (
		switchR = "e209862dc580" // prefix of compare_right's opam-switch
	)
	full := func(prefix string) string {
		return filepath.Base(artifactFile(t, dir, prefix))
	}
	debugSHA := sha256hex([]byte("debug info"))
	cache := filepath.Join(dir, store.CacheDir)
	files := map[string]string{
		// success_hvt, compare_left and the debug variant share a switch,
		// found in the older version only (the newer is marked done).
		"dependencies_1/" + shaSwitchSL + ".html":   "graph",
		"dependencies_2/.done":                      "",
		"dependencies_2/" + full(switchR) + ".html": "graph",
		// Not done yet; the treemap is empty.
		"treemap_1/" + debugSHA + ".html": "",
		"batch-viz.log":                   "ran",
		"stray.txt":                       "x",
		"junk_1/x":                        "x",
		"treemap_x/x":                     "x",
	}
	for name, content := range files {
		p := filepath.Join(cache, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCmd(t, "", "verify-cache-dir", "-d", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "1 error found") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	want := []string{
		"warning: stray.txt: not a directory; ignored",
		"warning: junk_1: invalid cache subdirectory name",
		"warning: treemap_x: invalid cache subdirectory name",
		"warning: treemap_1/.done: missing (is batch-viz.sh running now?)",
		"warning: dependencies_2/" + shaSwitchSL + ".html: missing although the cache is marked done; dependencies_1/" + shaSwitchSL + ".html is served instead (dependencies of build hello-hvt/" + uuidS + ")",
		"error: treemap_1/" + debugSHA + ".html: empty (treemap of build hello-hvt/" + dbg + ")",
		"checked 3 visualization files of 4 successful builds: 1 error, 5 warnings\n",
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout %q lacks %q", r.stdout, w)
		}
	}
	if strings.Contains(r.stdout, "batch-viz.log") || strings.Count(r.stdout, "\n") != len(want) {
		t.Errorf("unexpected findings in %q", r.stdout)
	}

	// Fill the treemap and lose a graph: a missing file is an error too.
	must(t, os.WriteFile(filepath.Join(cache, "treemap_1", debugSHA+".html"), []byte("map"), 0o644))
	must(t, os.Remove(filepath.Join(cache, "dependencies_2", full(switchR)+".html")))
	r = runCmd(t, "", "verify-cache-dir", "-d", dir)
	if w := "error: dependencies_2/" + full(switchR) + ".html: missing (dependencies of build hello-hvt/" + uuidR + ")"; r.code != 1 || !strings.Contains(r.stdout, w) {
		t.Errorf("exit %d, stdout %q; want %q", r.code, r.stdout, w)
	}

	// --cachedir, then the environment, name another directory.
	other := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(other, "dependencies_1"), 0o755))
	r = runCmd(t, "", "verify-cache-dir", "-d", dir, "--cachedir", other)
	if !strings.Contains(r.stdout, "warning: dependencies_1/.done: missing") || !strings.Contains(r.stdout, "warning: treemap_<N>: no cache directory") {
		t.Errorf("--cachedir: %q", r.stdout)
	}
	t.Setenv("BUILDER_WEB_CACHEDIR", filepath.Join(other, "missing"))
	r = runCmd(t, "", "verify-cache-dir", "-d", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "missing: cache directory does not exist") {
		t.Errorf("missing cache directory: exit %d, stdout %q", r.code, r.stdout)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
