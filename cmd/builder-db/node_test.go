package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// include stages like an upload, in _staging/<node>/ of the node --node
// (or BUILDER_WEB_NODE) names, and leaves nothing there; a node name that
// is no plain directory name is refused.
func TestIncludeStagesUnderNode(t *testing.T) {
	dir := newUploadDir(t)
	vec := testenv.Vector(t, "success_hvt.full")
	nodes := func() []string {
		t.Helper()
		entries, err := os.ReadDir(filepath.Join(dir, store.StagingDir))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	wantFail(t, "node name", "", "include", "--node", "../x", "-d", dir, vec)
	mustRun(t, "", "--node", "n1", "include", "-d", dir, vec)
	if got := nodes(); !slices.Equal(got, []string{"n1"}) {
		t.Errorf("_staging after include --node n1: %q, want [n1]", got)
	}
	t.Setenv("BUILDER_WEB_NODE", "n2")
	mustRun(t, "", "include", "-d", dir, testenv.Vector(t, "minimal.full"))
	if got := nodes(); !slices.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("_staging after include with BUILDER_WEB_NODE=n2: %q, want [n1 n2]", got)
	}
	if left := testenv.Staged(t, dir); len(left) != 0 {
		t.Errorf("include left %q in _staging", left)
	}
}
