package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// overviewText is what the front page shows of each entry: job, platform,
// build, section, synopsis and reproducibility counts.
func overviewText(t *testing.T, d *DB) []string {
	t.Helper()
	entries, err := d.Overview(t.Context(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		syn, repro := "-", "-"
		if e.Synopsis != nil {
			syn = *e.Synopsis
		}
		if e.Repro != nil {
			repro = fmt.Sprintf("%d/%d", e.Repro.Builds, e.Repro.Outputs)
		}
		out = append(out, fmt.Sprintf("%s/%s=%s [%s] %s %s", e.JobName, e.Platform, e.UUID, e.Section, syn, repro))
	}
	return out
}

// Overview keeps the entries per job in memory (issue 17: a front page
// miss reloads only the jobs whose job_change counter moved). Every change
// that alters an entry must still show at once, also when another program
// made it: a new build, a build of the same input (the reproducibility
// counts change, the entry's build does not), a tag, a vacuum and a job
// removal; and a job nobody touched is not read again.
func TestOverviewFollowsChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	d := openPath(t, path, true)
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	u := addFixtureUser(t, d)
	input := sum([]byte("input"))
	n := 0
	add := func(job string, day int, bin string, tags map[string]string) int64 {
		n++
		b := fixtureBuild(u.ID, 1)
		b.Job, b.Platform, b.UUID = job, "p", fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		b.Start = time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)
		b.Finish = b.Start.Add(time.Minute)
		b.InputID = input
		b.Tags = tags
		b.Artifacts = []NewArtifact{{Path: "bin/x", SHA256: sum([]byte(bin)), Size: 1}}
		return insertBuild(t, d, b)
	}
	add("a", 2, "a1", map[string]string{"synopsis": "first"})
	bID := add("b", 2, "b1", map[string]string{"section": "s"})
	step := func(when string, want ...string) {
		t.Helper()
		got := overviewText(t, d)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: overview\n%q\nwant\n%q", when, got, want)
		}
	}
	const (
		a1 = "a/p=00000000-0000-4000-8000-000000000001"
		b2 = "b/p=00000000-0000-4000-8000-000000000002"
		a3 = "a/p=00000000-0000-4000-8000-000000000003"
	)
	step("after uploads", a1+" [] first 1/1", b2+" [s] - 1/1")
	bEntry := func() *BuildArtifact {
		entries, err := d.Overview(t.Context(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return entries[len(entries)-1].Main
	}
	before := bEntry()

	add("a", 3, "a3", nil)
	step("after a newer build of a", a3+" [] first 2/2", b2+" [s] - 1/1")
	add("a", 1, "a3", nil) // older, same input and binary: only the counts change
	step("after an older build of a", a3+" [] first 3/2", b2+" [s] - 1/1")
	if after := bEntry(); after != before {
		t.Errorf("job b was read again though nothing of it changed")
	}

	// Another program (the reference, builder-db in another process).
	rawExec(t, path, `UPDATE job_tag SET value = 'second' WHERE value = 'first'`)
	step("after a tag change by another program", a3+" [] second 3/2", b2+" [s] - 1/1")
	rawExec(t, path, fmt.Sprintf("DELETE FROM build_artifact WHERE build = %d", bID),
		fmt.Sprintf("DELETE FROM build WHERE id = %d", bID))
	step("after a delete by another program", a3+" [] second 3/2")

	err := d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		_, err := d.RemoveJob(ctx, tx, "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	step("after job removal")
}

// JobReproBuilds keeps the builds of a job while its job_change counter
// stays (issue 17: the reproducibility view's JSON read 2,000 builds per
// request); a build joining or leaving the job's groups, also by another
// program, shows at once, and a change of another job does not read the
// job again.
func TestJobReproBuildsFollowsChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	d := openPath(t, path, true)
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	u := addFixtureUser(t, d)
	n := 0
	add := func(job string, input string) int64 {
		n++
		b := fixtureBuild(u.ID, 1)
		b.Job, b.UUID = job, fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		b.Start = time.Date(2026, 1, n, 0, 0, 0, 0, time.UTC)
		b.InputID = sum([]byte(input))
		b.Artifacts = []NewArtifact{{Path: "bin/x", SHA256: sum([]byte(b.UUID)), Size: 1}}
		return insertBuild(t, d, b)
	}
	jobID := func(name string) int64 {
		j, err := d.JobByName(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		return j.ID
	}
	list := func(job string) []ReproBuild {
		t.Helper()
		out, err := d.JobReproBuilds(t.Context(), jobID(job))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	uuids := func(bs []ReproBuild) string {
		var s []string
		for _, b := range bs {
			s = append(s, b.UUID[len(b.UUID)-2:])
		}
		return fmt.Sprint(s)
	}
	add("a", "x")
	add("b", "x")
	if got := uuids(list("a")); got != "[01]" {
		t.Errorf("a's builds %s, want [01]", got)
	}
	add("a", "x")
	if got := uuids(list("a")); got != "[03 01]" {
		t.Errorf("after an upload to a: %s, want [03 01]", got)
	}
	first := list("a")
	add("b", "y")
	if again := list("a"); &again[0] != &first[0] {
		t.Errorf("a's builds were read again after an upload to b")
	}
	add("a", "z")
	rawExec(t, path, `DELETE FROM build_artifact WHERE build = 1`, `DELETE FROM build WHERE id = 1`)
	if got := uuids(list("a")); got != "[05 03]" {
		t.Errorf("after an upload and a delete by another program: %s, want [05 03]", got)
	}
}
