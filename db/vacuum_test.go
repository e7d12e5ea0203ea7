package db

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"
)

func uuids(bs []VacuumBuild) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.UUID)
	}
	return out
}

// The vacuum queries of the reference's test_builder_db.ml (reference §13.3).
func TestVacuumQueries(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	insertBuild(t, d, fixtureBuild(u.ID, 2))
	job, err := d.JobByName(ctx, fixtureJob)
	if err != nil {
		t.Fatal(err)
	}
	epoch := time.Unix(0, 0).UTC()

	olderThan := []struct {
		name string
		t    time.Time
		want []string
	}{
		{"1800 s", epoch.Add(1800 * time.Second), []string{uuid1}},
		{"now", time.Now(), []string{uuid2, uuid1}},
		// Finish is inclusive (build 1 finished at 1 s).
		{"finish of build 1", epoch.Add(time.Second), []string{uuid1}},
		{"just before", epoch.Add(time.Second - time.Nanosecond), []string{}},
	}
	for _, c := range olderThan {
		t.Run("older than "+c.name, func(t *testing.T) {
			got, err := d.BuildsOlderThan(ctx, job.ID, "", c.t)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(uuids(got), c.want) {
				t.Errorf("got %v, want %v", uuids(got), c.want)
			}
		})
	}

	exceptLatest := []struct {
		n    int
		want []string
	}{
		{1, []string{uuid1}},
		{2, []string{}},
		{3, []string{}},
		{0, []string{uuid2, uuid1}},
		{-1, []string{uuid2, uuid1}}, // a negative OFFSET is 0 in SQLite
	}
	for _, c := range exceptLatest {
		got, err := d.BuildsExceptLatest(ctx, job.ID, "", c.n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(uuids(got), c.want) {
			t.Errorf("except latest %d: got %v, want %v", c.n, uuids(got), c.want)
		}
	}

	// The platform filter: nothing on another platform.
	if got, err := d.BuildsExceptLatest(ctx, job.ID, "other-os", 0); err != nil || len(got) != 0 {
		t.Errorf("other platform: %v, %v; want none", uuids(got), err)
	}
	if got, err := d.BuildsOlderThan(ctx, job.ID, fixturePlatform, time.Now()); err != nil || len(got) != 2 {
		t.Errorf("own platform: %v, %v; want both", uuids(got), err)
	}

	for n, want := range map[int]string{1: uuid2, 2: uuid1, 3: ""} {
		got, err := d.NthLatestSuccessful(ctx, job.ID, "", n)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && got != nil:
			t.Errorf("successful build %d: %s, want none", n, got.UUID)
		case want != "" && (got == nil || got.UUID != want || !got.Successful):
			t.Errorf("successful build %d: %+v, want %s", n, got, want)
		}
	}
	if _, err := d.NthLatestSuccessful(ctx, job.ID, "", 0); err == nil {
		t.Error("n = 0 accepted")
	}
}

func TestRemoveBuilds(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	shared := NewArtifact{Path: "opam-switch", SHA256: sum([]byte("shared")), Size: 6}
	b1 := fixtureBuild(u.ID, 1)
	b1.Artifacts = append(b1.Artifacts, shared)
	b2 := fixtureBuild(u.ID, 2)
	b2.Artifacts = append(b2.Artifacts, shared)
	id1 := insertBuild(t, d, b1)
	insertBuild(t, d, b2)

	remove := func(ids ...int64) ([]VacuumBuild, RemovedBuilds) {
		t.Helper()
		var (
			got []VacuumBuild
			rb  RemovedBuilds
		)
		err := d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
			var err error
			got, rb, err = d.RemoveBuilds(ctx, tx, ids)
			return err
		})
		if err != nil {
			t.Fatalf("RemoveBuilds(%v): %v", ids, err)
		}
		return got, rb
	}

	// A missing id is skipped.
	got, rb := remove(id1, 9999)
	if !slices.Equal(uuids(got), []string{uuid1}) || got[0].Job != fixtureJob || got[0].Platform != fixturePlatform {
		t.Errorf("removed %+v, want build 1 of %s", got, fixtureJob)
	}
	if rb.Builds != 1 || !slices.Equal(rb.Dirs, []string{fixtureJob + "/" + uuid1}) {
		t.Errorf("removal %+v", rb)
	}
	// The shared switch is still used by build 2; binary 1 is not.
	if len(rb.Unreferenced) != 1 || !bytes.Equal(rb.Unreferenced[0], sum(binary1)) {
		t.Errorf("unreferenced %x, want only binary 1", rb.Unreferenced)
	}
	if ok, _ := d.BuildExists(ctx, uuid1); ok {
		t.Error("build 1 still exists")
	}
	if ok, _ := d.ArtifactExists(ctx, shared.SHA256); !ok {
		t.Error("shared artifact row of build 2 removed")
	}

	// Removing what is gone already does nothing.
	if got, rb := remove(id1); len(got) != 0 || rb.Builds != 0 {
		t.Errorf("second removal: %v, %+v", got, rb)
	}
	job, err := d.JobByName(ctx, fixtureJob)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := d.BuildsExceptLatest(ctx, job.ID, "", 0)
	if err != nil || len(rest) != 1 {
		t.Fatalf("left: %v, %v", uuids(rest), err)
	}
	_, rb = remove(rest[0].ID)
	if len(rb.Unreferenced) != 2 {
		t.Errorf("last build: unreferenced %x, want binary 2 and the switch", rb.Unreferenced)
	}
	// The job stays, without builds (as in the reference).
	if _, err := d.JobByName(ctx, fixtureJob); err != nil {
		t.Errorf("job gone after vacuum: %v", err)
	}
}
