// Package testenv finds the shared test data for tests in any package directory.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot walks up from the working directory to the directory holding go.mod.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedTestdata returns ../shared/testdata relative to the module root
// (product.md §6.5); the vectors are never copied into the repository.
func SharedTestdata(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(ModuleRoot(tb), "..", "shared", "testdata")
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("shared test data: %v", err)
	}
	return dir
}

// Vector returns the path of one shared vector file, e.g. Vector(t, "minimal.full").
func Vector(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(SharedTestdata(tb), name)
}

// Staged lists what uploads left in the data directory's _staging/, of
// any node: the files directly in it (older versions' spool files) and
// every entry of a directory in it (a node's _staging/<node>/, or an older
// version's staging directory), as paths relative to _staging/. An empty
// node directory is not listed: it stays once the node has staged.
func Staged(tb testing.TB, dataDir string) []string {
	tb.Helper()
	root := filepath.Join(dataDir, "_staging")
	entries, err := os.ReadDir(root)
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
			continue
		}
		sub, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		for _, s := range sub {
			out = append(out, e.Name()+"/"+s.Name())
		}
	}
	return out
}

// WriteFile writes content to rel (slash-separated) under dir, creating
// its directories: what an interrupted upload or an operator may leave in
// a data directory.
func WriteFile(tb testing.TB, dir, rel, content string) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
