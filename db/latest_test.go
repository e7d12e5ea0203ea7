package db

import (
	"context"
	"fmt"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// latestTruth picks each job and platform's newest successful build from
// the build table itself: what latest_build must hold.
const latestTruth = `SELECT job, platform, id FROM (
	SELECT job, platform, id, row_number() OVER (
		PARTITION BY job, platform ORDER BY start_d DESC, start_ps DESC, id) AS n
	FROM build WHERE main_binary IS NOT NULL) AS newest
	WHERE n = 1 ORDER BY job, platform`

func latestRows(t *testing.T, d *DB, query string) []string {
	t.Helper()
	rows, err := d.read.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var job, id int64
		var platform string
		if err := rows.Scan(&job, &platform, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d/%s=%d", job, platform, id))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The triggers of migration 0009 keep latest_build equal to the newest
// successful build per job and platform through uploads (newer, older and
// failed ones), vacuum, a delete by another program and job removal, and
// the front page's overview shows exactly those builds.
func TestLatestBuildFollowsBuilds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	d := openPath(t, path, true)
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	u := addFixtureUser(t, d)
	var ids []int64
	n := 0
	add := func(job, platform string, day int, failed bool) {
		n++
		b := fixtureBuild(u.ID, 1)
		b.Job, b.Platform, b.UUID = job, platform, fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		b.Start = time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)
		b.Finish = b.Start.Add(time.Minute)
		b.Artifacts = []NewArtifact{{Path: "bin/x", SHA256: sum([]byte(b.UUID)), Size: 1}}
		if failed {
			b.MainBinary = -1
			b.ResultCode = 1 << 8
		}
		ids = append(ids, insertBuild(t, d, b))
	}
	add("a", "p", 2, false) // ids[0]
	add("a", "p", 5, false) // ids[1]: newest of a/p
	add("a", "p", 3, false) // ids[2]: uploaded late, older
	add("a", "p", 9, true)  // ids[3]: newer but failed
	add("a", "q", 1, false) // ids[4]
	add("b", "p", 4, false) // ids[5]
	add("c", "p", 4, true)  // ids[6]: c has no successful build
	add("b", "p", 4, false) // ids[7]: same start as ids[5], whose smaller id wins
	check := func(when string, want int) {
		t.Helper()
		table := latestRows(t, d, `SELECT job, platform, build FROM latest_build ORDER BY job, platform`)
		truth := latestRows(t, d, latestTruth)
		if !reflect.DeepEqual(table, truth) || len(truth) != want {
			t.Errorf("%s: latest_build %q, want %q (%d entries)", when, table, truth, want)
		}
		entries, err := d.Overview(t.Context(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%d/%s=%d", e.Build.JobID, e.Build.Platform, e.Build.ID))
		}
		if !reflect.DeepEqual(got, truth) {
			t.Errorf("%s: overview shows %q, want %q", when, got, truth)
		}
	}
	check("after uploads", 3)
	if table := latestRows(t, d, `SELECT job, platform, build FROM latest_build WHERE build = `+fmt.Sprint(ids[1])); len(table) != 1 {
		t.Errorf("a/p's entry is not its newest successful build %d: %q", ids[1], table)
	}
	err := d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		_, _, err := d.RemoveBuilds(ctx, tx, []int64{ids[1], ids[0]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after vacuum of the newest", 3)
	// The reference editing a build's start (not the upload's own step
	// of setting the main binary) recomputes the pair.
	rawExec(t, path, fmt.Sprintf("UPDATE build SET start_d = start_d + 30 WHERE id = %d", ids[7]))
	check("after another program moved a build", 3)
	// Another program (builder-db in another process, the reference)
	// deleting a pair's only successful build empties the entry.
	rawExec(t, path, fmt.Sprintf("DELETE FROM build_artifact WHERE build = %d", ids[4]),
		fmt.Sprintf("DELETE FROM build WHERE id = %d", ids[4]))
	check("after a delete by another program", 2)
	err = d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		_, err := d.RemoveJob(ctx, tx, "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after job removal", 1)
}

// The front page reads latest_build of the jobs it reloads, one lookup per
// entry, instead of walking the successful builds' index (issue 17: a front
// page miss took 14 ms on 80,000 builds).
func TestOverviewReadsLatestBuild(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite query plans")
	d := newDB(t)
	rows, err := d.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+sqlOverviewJobs, "[1,2]")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	p := strings.Join(plan, "\n")
	if !strings.Contains(p, "SEARCH l USING PRIMARY KEY") || strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "idx_build_job_platform_success") {
		t.Errorf("overview plan does not read latest_build alone:\n%s", p)
	}
}
