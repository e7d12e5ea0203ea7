package ops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/internal/generate"
)

func TestParseVizDir(t *testing.T) {
	for name, want := range map[string]struct {
		kind string
		v    int
	}{
		"treemap_1":        {"treemap", 1},
		"dependencies_12":  {"dependencies", 12},
		"treemap_":         {},
		"treemap_-1":       {},
		"treemap_+1":       {},
		"treemap_1a":       {},
		"treemaps_1":       {},
		"dependencies":     {},
		"Treemap_1":        {},
		"treemap_99999999": {"treemap", 99999999},
	} {
		kind, v, ok := parseVizDir(name)
		if ok != (want.kind != "") || kind != want.kind || v != want.v {
			t.Errorf("parseVizDir(%q) = %q, %d, %v; want %q, %d", name, kind, v, ok, want.kind, want.v)
		}
	}
}

// Generated data verifies clean, with progress up to the total, through a
// symbolic link to the data directory; a dotfile is found.
func TestVerifyDataDirGenerated(t *testing.T) {
	ctx := t.Context()
	dir, d, _, in, u := testDir(t)
	g := generate.New(generate.Options{Jobs: 2, Platforms: 2, Builds: 3, Seed: 3,
		End: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := Generate(ctx, in, u, g, 2, nil); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	var last, total int
	rep, err := VerifyDataDir(ctx, d, link, func(f Finding) { t.Errorf("finding: %s", f) },
		func(done, n int) { last, total = done, n })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Builds != 12 || rep.Artifacts == 0 || rep.Files < rep.Artifacts+2*rep.Builds {
		t.Errorf("report %+v", rep)
	}
	if last != total || total == 0 {
		t.Errorf("progress ended at %d/%d", last, total)
	}

	if err := os.WriteFile(filepath.Join(dir, ".leftover"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	rep, err = VerifyDataDir(ctx, d, dir, func(f Finding) { got = append(got, f.String()) }, nil)
	if err != nil || rep.Warnings != 1 || rep.Errors != 0 || len(got) != 1 || got[0] != "warning: .leftover: untracked file" {
		t.Errorf("dotfile: %+v, %q, %v", rep, got, err)
	}
}

// Builds of the same input with the same output are not reported; the
// cache check of a data directory without cache is one error.
func TestVerifyNothingToReport(t *testing.T) {
	ctx := t.Context()
	dir, d, _, in, u := testDir(t)
	ingestVector(t, in, u, "success_hvt", nil)
	ingestVector(t, in, u, "compare_left", nil)
	rep, err := VerifyInputIDs(ctx, d, func(f Finding) { t.Errorf("finding: %s", f) })
	if err != nil || rep.Builds != 2 {
		t.Errorf("input ids: %+v, %v", rep, err)
	}
	var got []string
	rep, err = VerifyCacheDir(ctx, d, filepath.Join(dir, store.CacheDir), func(f Finding) { got = append(got, f.String()) })
	if err != nil || rep.Errors != 1 || len(got) != 1 || !strings.HasSuffix(got[0], ": cache directory does not exist") {
		t.Errorf("cache: %+v, %q, %v", rep, got, err)
	}
}
