package db

import (
	"errors"
	"testing"
)

// The debug binary is found by exact basename: not by case, not by LIKE
// wildcards, not by a longer name ending the same way.
func TestDebugArtifact(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	b := fixtureBuild(u.ID, 1)
	b.Artifacts = []NewArtifact{
		{Path: "bin/a_b.hvt", SHA256: sum([]byte("main")), Size: 4},
		{Path: "aXb.hvt.debug", SHA256: sum([]byte("wildcard")), Size: 8}, // _ is no wildcard
		{Path: "A_B.hvt.debug", SHA256: sum([]byte("case")), Size: 4},     // case matters
		{Path: "xa_b.hvt.debug", SHA256: sum([]byte("longer")), Size: 6},  // whole basename
		{Path: "dbg/a_b.hvt.debug", SHA256: sum([]byte("debug")), Size: 5},
	}
	b.MainBinary = 0
	id := insertBuild(t, d, b)

	a, err := d.DebugArtifact(t.Context(), id, "bin/a_b.hvt")
	if err != nil {
		t.Fatal(err)
	}
	if a.Filepath != "dbg/a_b.hvt.debug" {
		t.Errorf("DebugArtifact = %s, want dbg/a_b.hvt.debug", a.Filepath)
	}
	if _, err := d.DebugArtifact(t.Context(), id, "bin/other.hvt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DebugArtifact(other) error %v, want ErrNotFound", err)
	}
	for _, tt := range []struct {
		path, main string
		want       bool
	}{
		{"dbg/a_b.hvt.debug", "bin/a_b.hvt", true},
		{"a_b.hvt.debug", "bin/a_b.hvt", true},
		{"xa_b.hvt.debug", "bin/a_b.hvt", false},
		{"A_B.hvt.debug", "bin/a_b.hvt", false},
	} {
		if got := IsDebugArtifact(tt.path, tt.main); got != tt.want {
			t.Errorf("IsDebugArtifact(%q, %q) = %v, want %v", tt.path, tt.main, got, tt.want)
		}
	}
}

// Without an input id nothing can be said about reproducibility; the
// neighbours of the only build are none.
func TestReproducibilityWithoutInput(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	b2 := fixtureBuild(u.ID, 2)
	b2.Artifacts[0].SHA256 = sum(binary1) // same output, unknown input
	insertBuild(t, d, b2)

	bi, err := d.BuildByUUID(t.Context(), uuid1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.ReproRelatives(t.Context(), bi)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 0 {
		t.Errorf("ReproRelatives without input id = %+v, want none", r)
	}
	n, err := d.Neighbours(t.Context(), bi)
	if err != nil {
		t.Fatal(err)
	}
	if n.Latest == nil || n.Latest.UUID != uuid2 || n.Next != nil || n.Previous != nil {
		t.Errorf("Neighbours = latest %+v next %+v previous %+v; want latest %s only (same output)", n.Latest, n.Next, n.Previous, uuid2)
	}
}
