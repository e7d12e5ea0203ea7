package db

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestRemoveJob(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)

	shared := NewArtifact{Path: "opam-switch", SHA256: sum([]byte("shared")), Size: 6}
	b1 := fixtureBuild(u.ID, 1)
	b1.Artifacts = append(b1.Artifacts, shared)
	b1.Tags = map[string]string{TagSection: "Packages"}
	b2 := fixtureBuild(u.ID, 2)
	b2.Artifacts = append(b2.Artifacts, NewArtifact{Path: "copy", SHA256: sum(binary1), Size: int64(len(binary1))})
	insertBuild(t, d, b1)
	insertBuild(t, d, b2)
	// Another job keeps the shared file alive.
	other := fixtureBuild(u.ID, 1)
	other.Job, other.UUID = "other-job", "00000000-0000-4000-8000-000000000003"
	other.Artifacts = []NewArtifact{shared}
	other.MainBinary = -1
	insertBuild(t, d, other)
	if err := d.AccessAdd(ctx, fixtureUser, fixtureJob); err != nil {
		t.Fatal(err)
	}

	var got RemovedBuilds
	err := d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		got, err = d.RemoveJob(ctx, tx, fixtureJob)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Builds != 2 {
		t.Errorf("removed %d builds, want 2", got.Builds)
	}
	if want := []string{fixtureJob + "/" + uuid1, fixtureJob + "/" + uuid2}; !reflect.DeepEqual(got.Dirs, want) {
		t.Errorf("dirs %v, want %v", got.Dirs, want)
	}
	want := [][]byte{sum(binary1), sum(binary2)}
	if len(got.Unreferenced) != len(want) {
		t.Fatalf("unreferenced %x, want %x", got.Unreferenced, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got.Unreferenced {
			found = found || bytes.Equal(g, w)
		}
		if !found {
			t.Errorf("unreferenced %x lacks %x", got.Unreferenced, w)
		}
	}

	for table, where := range map[string]string{
		"build":          "job NOT IN (SELECT id FROM job)",
		"build_artifact": "build NOT IN (SELECT id FROM build)",
		"access_list":    "1 = 1",
		"job_tag":        "1 = 1",
	} {
		var n int
		if err := d.read.NewRaw("SELECT count(*) FROM "+table+" WHERE "+where).Scan(ctx, &n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", table, n, err)
		}
	}
	if ok, _ := d.ArtifactExists(ctx, shared.SHA256); !ok {
		t.Error("other job's artifact row removed")
	}
	if ok, _ := d.BuildExists(ctx, other.UUID); !ok {
		t.Error("other job's build removed")
	}

	err = d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := d.RemoveJob(ctx, tx, fixtureJob)
		return err
	})
	if !errors.Is(err, ErrJobNotFound) {
		t.Errorf("remove unknown job: %v, want ErrJobNotFound", err)
	}
}
