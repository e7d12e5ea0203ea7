package db

import (
	"slices"
	"testing"
	"time"
)

// feedFixture stores, for one user: build 1 and 2 of the fixture job on
// exotic-os (successful), a failed build on another platform started in
// between, and a successful build of a second job uploaded last but
// started first.
func feedFixture(t *testing.T) (*DB, int64) {
	t.Helper()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	insertBuild(t, d, fixtureBuild(u.ID, 2))
	failed := fixtureBuild(u.ID, 1)
	failed.UUID = "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a03"
	failed.Platform = "other-os"
	failed.Start = failed.Start.Add(30 * time.Minute)
	failed.Finish = failed.Start.Add(time.Minute)
	failed.ResultCode = 1 // any code: these queries only pass it through
	failed.Artifacts, failed.MainBinary = nil, -1
	insertBuild(t, d, failed)
	other := fixtureBuild(u.ID, 1)
	other.Job = "other-job"
	other.UUID = "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a04"
	other.Start = other.Start.Add(-time.Hour)
	insertBuild(t, d, other)
	j, err := d.JobByName(t.Context(), fixtureJob)
	if err != nil {
		t.Fatal(err)
	}
	return d, j.ID
}

func feedUUIDs(bs []FeedBuild) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.UUID[len(b.UUID)-2:])
	}
	return out
}

func TestFeedQueries(t *testing.T) {
	d, job := feedFixture(t)
	ctx := t.Context()
	cases := []struct {
		name  string
		fetch func() ([]FeedBuild, error)
		want  []string // last two characters of the UUIDs, in order
	}{
		{"all, upload order", func() ([]FeedBuild, error) { return d.FeedBuilds(ctx, 50) }, []string{"04", "03", "02", "01"}},
		{"all, limited", func() ([]FeedBuild, error) { return d.FeedBuilds(ctx, 2) }, []string{"04", "03"}},
		{"job, start order", func() ([]FeedBuild, error) { return d.JobFeedBuilds(ctx, job, 50) }, []string{"02", "03", "01"}},
		{"failed", func() ([]FeedBuild, error) { return d.FailedFeedBuilds(ctx, 50) }, []string{"03"}},
		{"latest per platform", func() ([]FeedBuild, error) { return d.LatestPerPlatform(ctx, job, "") }, []string{"02", "03"}},
		{"latest on one platform", func() ([]FeedBuild, error) { return d.LatestPerPlatform(ctx, job, "other-os") }, []string{"03"}},
		{"latest on an unknown platform", func() ([]FeedBuild, error) { return d.LatestPerPlatform(ctx, job, "nope") }, nil},
		{"latest of an unknown job", func() ([]FeedBuild, error) { return d.LatestPerPlatform(ctx, 9999, "") }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.fetch()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(feedUUIDs(got), c.want) {
				t.Errorf("got builds %v, want %v", feedUUIDs(got), c.want)
			}
		})
	}

	got, err := d.JobFeedBuilds(ctx, job, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("JobFeedBuilds: %v, %v", got, err)
	}
	b := got[0]
	wantStart := time.Unix(0, 0).UTC().Add(time.Hour)
	if b.Job != fixtureJob || b.Platform != fixturePlatform || !b.Start.Equal(wantStart) ||
		!b.Finish.Equal(wantStart.Add(time.Second)) || b.Main == nil || b.Main.Filepath != fixtureBinPath ||
		b.Main.Size != int64(len(binary2)) {
		t.Errorf("newest build of the job = %+v (main %+v)", b, b.Main)
	}
}

func TestCounts(t *testing.T) {
	d, _ := feedFixture(t)
	c, err := d.Counts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Three successful builds with one artifact each; two share binary1.
	want := Counts{Jobs: 2, Builds: 4, FailedBuilds: 1, Artifacts: 3,
		ArtifactBytes: int64(2*len(binary1) + len(binary2))}
	if c != want {
		t.Errorf("Counts = %+v, want %+v", c, want)
	}
	s, err := d.StoredContent(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stored{Files: 2, Bytes: int64(len(binary1) + len(binary2))}); s != want {
		t.Errorf("StoredContent = %+v, want %+v", s, want)
	}
	if err := d.Ready(t.Context()); err != nil {
		t.Errorf("Ready: %v", err)
	}
}

func TestReadyAfterClose(t *testing.T) {
	d := openPath(t, t.TempDir()+"/builder.sqlite3", true)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Ready(t.Context()); err == nil {
		t.Error("Ready on a closed database succeeded")
	}
}
