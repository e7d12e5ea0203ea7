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
