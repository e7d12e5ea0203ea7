package store

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidateNode(t *testing.T) {
	for _, ok := range []string{"a", "web-1", "build.example.org", "Node_2", strings.Repeat("n", 64)} {
		if err := ValidateNode(ok); err != nil {
			t.Errorf("ValidateNode(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "_a", "-a", ".a", "a/b", "a b", "a\x00", "é", strings.Repeat("n", 65),
		"3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a01"} {
		if err := ValidateNode(bad); err == nil {
			t.Errorf("ValidateNode(%q) = nil, want an error", bad)
		}
	}
	if _, err := New(t.TempDir(), ".."); err == nil {
		t.Error(`New(dir, "..") succeeded, want an error`)
	}
}

// Each node stages in _staging/<node>/ and lists only its own leftovers;
// OldLeftovers finds what older versions left directly in _staging/ and
// nothing of a node.
func TestNodeStaging(t *testing.T) {
	dir := t.TempDir()
	a, err := New(dir, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(dir, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Stage("u1"); err != nil {
		t.Fatal(err)
	}
	f, err := b.TempFile("script-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if rel, _ := filepath.Rel(dir, f.Name()); filepath.Dir(rel) != filepath.Join(StagingDir, "b") {
		t.Errorf("node b's scratch file is %s, want it in _staging/b/", rel)
	}
	if _, err := os.Stat(filepath.Join(dir, StagingDir, "a", "u1")); err != nil {
		t.Errorf("node a's staging directory: %v", err)
	}
	// Node b may stage the same UUID: a different upload of its own.
	if _, err := b.Stage("u1"); err != nil {
		t.Errorf("node b's Stage of a UUID node a stages: %v", err)
	}

	const oldUUID = "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a01"
	for _, p := range []string{oldUUID + "/artifact-1", "console-123", "stray-file"} {
		p = filepath.Join(dir, StagingDir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ls []Leftover, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			out = append(out, l.Name)
		}
		slices.Sort(out)
		return out
	}
	if got := names(a.Leftovers()); !slices.Equal(got, []string{"u1"}) {
		t.Errorf("node a's leftovers %q, want [u1]", got)
	}
	if got := names(b.Leftovers()); len(got) != 2 || got[1] != "u1" || !strings.HasPrefix(got[0], "script-") {
		t.Errorf("node b's leftovers %q, want its script-* and u1", got)
	}
	old, err := a.OldLeftovers()
	if got := names(old, err); !slices.Equal(got, []string{oldUUID, "console-123"}) {
		t.Errorf("old leftovers %q, want [%s console-123]", got, oldUUID)
	}
	for _, l := range old {
		if err := a.RemoveLeftover(l); err != nil {
			t.Fatal(err)
		}
	}
	left, _ := os.ReadDir(filepath.Join(dir, StagingDir))
	var got []string
	for _, e := range left {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, []string{"a", "b", "stray-file"}) {
		t.Errorf("_staging after removing the old leftovers: %q, want [a b stray-file]", got)
	}
}
