package ops

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

func TestParseVacuumTime(t *testing.T) {
	want := time.Date(2024, 9, 5, 13, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in  string
		err string
	}{
		{"2024-09-05T13:00:00Z", ""},
		{"2024-09-05T13:00:00+00:00", ""},
		{"2024-09-05T13:00:00.000Z", ""},
		{"2024-09-05T15:00:00+02:00", "only UTC timezone is allowed"},
		{"2024-09-05T13:00:00-00:00", "only UTC timezone is allowed"},
		{"2024-09-05", "want RFC 3339"},
		{"yesterday", "want RFC 3339"},
	} {
		got, err := ParseVacuumTime(c.in)
		switch {
		case c.err == "" && (err != nil || !got.Equal(want)):
			t.Errorf("%s: %v, %v; want %v", c.in, got, err, want)
		case c.err != "" && (err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.err))):
			t.Errorf("%s: error %v, want %q", c.in, err, c.err)
		}
	}
}

// testDir is a migrated data directory with an ingester.
func testDir(t testing.TB) (string, *db.DB, *store.Store, *ingest.Ingester, ingest.Uploader) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	data, err := datadir.Open(t.Context(), dir, datadir.Options{Mode: datadir.Migrated})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { data.Close() })
	d, st := data.DB, data.Store
	u, err := GeneratorUploader(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	return dir, d, st, &ingest.Ingester{DB: d, Store: st}, u
}

// ingestVector stores a shared vector, changed by mutate when not nil.
func ingestVector(t *testing.T, in *ingest.Ingester, u ingest.Uploader, name string, mutate func(*builder.Exec)) {
	t.Helper()
	rec, err := os.ReadFile(testenv.Vector(t, name+".full"))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		e, err := builder.Decode(rec)
		if err != nil {
			t.Fatal(err)
		}
		mutate(e)
		if rec, err = builder.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := in.Ingest(t.Context(), bytes.NewReader(rec), u); err != nil {
		t.Fatalf("ingest %s: %v", name, err)
	}
}

// An upload between two batches that shares the files of a build still to
// be removed keeps those files: each batch asks inside its own write
// transaction which hashes are unreferenced.
func TestVacuumUploadBetweenBatches(t *testing.T) {
	ctx := t.Context()
	_, d, st, in, u := testDir(t)
	ingestVector(t, in, u, "success_hvt", nil)
	ingestVector(t, in, u, "compare_left", nil)
	binary := []byte{0x71, 0x56, 0x26, 0xd0}
	sha, err := d.ArtifactByPath(ctx, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "bin/hello.hvt")
	if err != nil || !bytes.HasPrefix(sha.SHA256, binary) {
		t.Fatalf("compare_left's binary: %v, %v", sha, err)
	}

	var removed []string
	uploaded := false
	rep, err := Vacuum(ctx, d, st, VacuumOptions{
		Mode: VacuumOlderThan, Before: time.Date(2024, 9, 6, 0, 0, 0, 0, time.UTC), Batch: 1,
		Removed: func(b db.VacuumBuild) {
			removed = append(removed, b.UUID)
			if uploaded {
				return
			}
			uploaded = true
			// A rebuild with the same artifacts, stored after the vacuum
			// chose its builds: it is newer than the cut-off and stays.
			ingestVector(t, in, u, "success_hvt", func(e *builder.Exec) {
				e.UUID[15] ^= 0xff
				e.Start = e.Start.AddDate(0, 0, 10)
				e.Finish = e.Finish.AddDate(0, 0, 10)
			})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Builds != 2 || rep.Artifacts != 0 || len(rep.Problems) != 0 {
		t.Errorf("report %+v, want 2 builds, no files", rep)
	}
	if len(removed) != 2 || removed[0] != "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18" {
		t.Errorf("removed %v, success_hvt first", removed)
	}
	if _, err := os.Stat(st.ArtifactPath(sha.SHA256)); err != nil {
		t.Errorf("artifact shared with the new upload deleted: %v", err)
	}
	var findings []Finding
	vr, err := VerifyDataDir(ctx, d, st.Dir(), func(f Finding) { findings = append(findings, f) }, nil)
	if err != nil || vr.Errors+vr.Warnings != 0 {
		t.Errorf("verify after vacuum: %+v, %v: %v", vr, findings, err)
	}
}

// Batches on generated data: every job keeps its newest builds, the rest
// goes with its files, and the data directory verifies clean.
func TestVacuumGeneratedBatches(t *testing.T) {
	ctx := t.Context()
	_, d, st, in, u := testDir(t)
	g := generate.New(generate.Options{Jobs: 3, Platforms: 2, Builds: 6, Seed: 7,
		End: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := Generate(ctx, in, u, g, 2, nil); err != nil {
		t.Fatal(err)
	}
	notes := 0
	rep, err := Vacuum(ctx, d, st, VacuumOptions{Mode: VacuumExceptLatest, N: 5, Batch: 3,
		Note: func(string) { notes++ }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Jobs != 3 || rep.Builds != 3*(12-5) || notes != 0 {
		t.Errorf("report %+v, %d notes; want 21 builds of 3 jobs", rep, notes)
	}
	jobs, err := d.AllJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		left, err := d.BuildsExceptLatest(ctx, j.ID, "", 0)
		if err != nil || len(left) != 5 {
			t.Errorf("job %s: %d builds left, %v", j.Name, len(left), err)
		}
	}
	vr, err := VerifyDataDir(ctx, d, st.Dir(), func(f Finding) { t.Errorf("finding: %s", f) }, nil)
	if err != nil || vr.Builds != 15 {
		t.Errorf("verify: %+v, %v", vr, err)
	}

	// N must be positive; a cancelled vacuum stops.
	if _, err := Vacuum(ctx, d, st, VacuumOptions{Mode: VacuumExceptLatest, N: 0}); err == nil {
		t.Error("N = 0 accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Vacuum(cctx, d, st, VacuumOptions{Mode: VacuumExceptLatest, N: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled vacuum: %v", err)
	}
	var uj *UnknownJobsError
	if _, err := Vacuum(ctx, d, st, VacuumOptions{Mode: VacuumExceptLatest, N: 1, Jobs: []string{"x", "x", "y"}}); !errors.As(err, &uj) ||
		err.Error() != "Unknown job(s): x, y" {
		t.Errorf("unknown jobs: %v", err)
	}
}
