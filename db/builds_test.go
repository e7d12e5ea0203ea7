package db

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// The DB tests of the reference's test/test_builder_db.ml (reference §13.3)
// that concern the queries of this package.

func TestReferenceJob(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))

	j, err := d.JobByName(ctx, fixtureJob)
	if err != nil {
		t.Fatalf("id by name: %v", err)
	}
	if j.Name != fixtureJob || j.ID == 0 {
		t.Errorf("job by name = %+v, want %s with an id", j, fixtureJob)
	}

	err = d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := d.RemoveJob(ctx, tx, fixtureJob)
		return err
	})
	if err != nil {
		t.Fatalf("remove job: %v", err)
	}
	if _, err := d.JobByName(ctx, fixtureJob); !errors.Is(err, ErrNotFound) {
		t.Errorf("get removed job: %v, want ErrNotFound", err)
	}
}

func TestReferenceBuild(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	id := insertBuild(t, d, fixtureBuild(u.ID, 1))

	b, err := d.BuildByUUID(ctx, uuid1)
	if err != nil {
		t.Fatalf("get by uuid: %v", err)
	}
	if b.ID != id || b.UUID != uuid1 || b.JobName != fixtureJob || b.Username != fixtureUser ||
		b.Platform != fixturePlatform || b.ResultCode != 0 || b.ResultMsg != nil || b.InputID != nil {
		t.Errorf("build %+v", b)
	}
	if !b.Start().Equal(time.Unix(0, 0)) || !b.Finish().Equal(time.Unix(1, 0)) {
		t.Errorf("start %v finish %v", b.Start(), b.Finish())
	}
	if b.Script != fixtureJob+"/"+uuid1+"/script.txt" || b.Console != fixtureJob+"/"+uuid1+"/console.txt" {
		t.Errorf("paths %s %s", b.Script, b.Console)
	}
	if b.Main == nil || b.MainBinary == nil || b.Main.ID != *b.MainBinary ||
		b.Main.Filepath != fixtureBinPath || !bytes.Equal(b.Main.SHA256, sum(binary1)) ||
		b.Main.Size != int64(len(binary1)) || b.Main.BuildID != id {
		t.Errorf("main binary %+v (main_binary %v)", b.Main, b.MainBinary)
	}
	if _, err := d.BuildByUUID(ctx, uuid2); !errors.Is(err, ErrNotFound) {
		t.Errorf("get unknown uuid: %v, want ErrNotFound", err)
	}
	if ok, err := d.BuildExists(ctx, uuid1); !ok || err != nil {
		t.Errorf("BuildExists = %v, %v", ok, err)
	}
	if ok, err := d.BuildExists(ctx, uuid2); ok || err != nil {
		t.Errorf("BuildExists(unknown) = %v, %v", ok, err)
	}
}

func TestReferenceBuildArtifact(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	id := insertBuild(t, d, fixtureBuild(u.ID, 1))

	arts, err := d.Artifacts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 {
		t.Fatalf("build 1 has %d artifacts, want 1", len(arts))
	}
	a, err := d.ArtifactByPath(ctx, uuid1, fixtureBinPath)
	if err != nil {
		t.Fatalf("get by (uuid, path): %v", err)
	}
	if !reflect.DeepEqual(*a, arts[0]) {
		t.Errorf("by path %+v, by build %+v", a, arts[0])
	}
	if _, err := d.ArtifactByPath(ctx, uuid1, "bin/other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown path: %v, want ErrNotFound", err)
	}
	if ok, err := d.ArtifactExists(ctx, sum(binary1)); !ok || err != nil {
		t.Errorf("exists(binary 1) = %v, %v; want true", ok, err)
	}
	if ok, err := d.ArtifactExists(ctx, sum(binary2)); ok || err != nil {
		t.Errorf("exists(binary 2) = %v, %v; want false", ok, err)
	}
}

func TestArtifactsOrderAndTags(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	msg := "killed by the operator"
	b := fixtureBuild(u.ID, 1)
	b.UUID = "3B8E6B1C-6A6E-4B5E-9C1A-2F0C0E2E9A01" // stored lowercase
	b.ResultCode, b.ResultMsg = 65536, &msg
	b.InputID = sum([]byte("input"))
	b.Artifacts = []NewArtifact{
		{Path: "opam-switch", SHA256: sum([]byte("a")), Size: 1},
		{Path: "bin/x.hvt", SHA256: sum([]byte("b")), Size: 2},
		{Path: "build-environment", SHA256: sum([]byte("c")), Size: 3},
	}
	b.MainBinary = 1
	b.Tags = map[string]string{TagSection: "Unikernels", TagSynopsis: "a thing", "custom": "v"}
	id := insertBuild(t, d, b)

	arts, err := d.Artifacts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, a := range arts {
		paths = append(paths, a.Filepath)
	}
	if want := []string{"bin/x.hvt", "opam-switch", "build-environment"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("artifact order %v, want %v (main binary first)", paths, want)
	}
	bi, err := d.BuildByUUID(ctx, b.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if bi.UUID != uuid1 || bi.ResultMsg == nil || *bi.ResultMsg != msg || bi.ResultCode != 65536 ||
		!bytes.Equal(bi.InputID, b.InputID) || bi.Main == nil || bi.Main.Filepath != "bin/x.hvt" {
		t.Errorf("build %+v", bi)
	}

	got, err := d.JobTags(ctx, bi.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b.Tags) {
		t.Errorf("tags %v, want %v", got, b.Tags)
	}

	// A second upload updates given tags in place and leaves the others.
	b2 := fixtureBuild(u.ID, 2)
	b2.MainBinary = -1
	b2.Tags = map[string]string{TagSynopsis: "better", TagReadme: "# hi"}
	id2 := insertBuild(t, d, b2)
	got, err = d.JobTags(ctx, bi.JobID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{TagSection: "Unikernels", TagSynopsis: "better", "custom": "v", TagReadme: "# hi"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	var jobs, jobTags int
	if err := d.read.NewRaw("SELECT count(*) FROM job").Scan(ctx, &jobs); err != nil || jobs != 1 {
		t.Errorf("%d jobs, %v; want 1", jobs, err)
	}
	if err := d.read.NewRaw("SELECT max(id) FROM job_tag").Scan(ctx, &jobTags); err != nil || jobTags != 4 {
		t.Errorf("max job_tag id %d, %v; want 4 (updates in place)", jobTags, err)
	}
	failed, err := d.BuildByUUID(ctx, uuid2)
	if err != nil {
		t.Fatal(err)
	}
	if failed.ID != id2 || failed.MainBinary != nil || failed.Main != nil {
		t.Errorf("build without main binary: %+v", failed)
	}
}

func TestInsertBuildDuplicate(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))

	dup := fixtureBuild(u.ID, 2)
	dup.UUID = "3B8E6B1C-6A6E-4B5E-9C1A-2F0C0E2E9A01" // same as build 1, other case
	err := d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := d.InsertBuild(ctx, tx, dup)
		return err
	})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate uuid: %v, want ErrDuplicate", err)
	}
	// Nothing of the failed transaction remains.
	if ok, _ := d.ArtifactExists(ctx, sum(binary2)); ok {
		t.Error("artifact of the refused build stored")
	}

	bad := fixtureBuild(u.ID, 2)
	bad.MainBinary = 3
	err = d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := d.InsertBuild(ctx, tx, bad)
		return err
	})
	if err == nil {
		t.Error("main binary index out of range accepted")
	}
}

func TestEmptyResults(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	if arts, err := d.Artifacts(ctx, 9999); err != nil || len(arts) != 0 {
		t.Errorf("Artifacts(unknown) = %v, %v; want none", arts, err)
	}
	if tags, err := d.JobTags(ctx, 9999); err != nil || len(tags) != 0 {
		t.Errorf("JobTags(unknown) = %v, %v; want none", tags, err)
	}
	// A job without builds (created by a bare upload that failed, or by
	// the reference) is removed too.
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&Job{Name: "empty"}).Exec(ctx); err != nil {
			return err
		}
		got, err := d.RemoveJob(ctx, &Tx{tx, d.dialect}, "empty")
		if got.Builds != 0 || len(got.Dirs) != 0 || len(got.Unreferenced) != 0 {
			t.Errorf("RemoveJob(empty) = %+v", got)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}
