package db

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"
)

// groupsTruth groups the build table itself: what repro_group must hold.
const (
	groupsTruth = `SELECT j.name, b.platform, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
	FROM build b JOIN build_artifact a ON a.id = b.main_binary JOIN job j ON j.id = b.job
	WHERE b.input_id IS NOT NULL GROUP BY b.job, j.name, b.platform, b.input_id`
	groupsTable = `SELECT j.name, g.platform, g.builds, g.outputs, g.latest FROM repro_group g JOIN job j ON j.id = g.job`
)

func groupStrings(t *testing.T, d *DB) (table, truth []string) {
	t.Helper()
	read := func(query string) []string {
		rows, err := d.read.QueryContext(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var (
				job, platform        string
				builds, outs, latest int64
			)
			if err := rows.Scan(&job, &platform, &builds, &outs, &latest); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s %d/%d %s", job, platform, builds, outs, latestTime(latest).Format(time.DateTime)))
		}
		sort.Strings(out)
		return out
	}
	return read(groupsTable), read(groupsTruth)
}

// The triggers of migration 0007 keep repro_group equal to the grouping of
// the build table through uploads, vacuum and job removal.
func TestReproGroupsFollowBuilds(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	input := func(s string) []byte { return sum([]byte(s)) }
	var ids []int64
	n := 0
	add := func(job, platform, in, bin string, failed bool) {
		n++
		b := fixtureBuild(u.ID, 1)
		b.Job, b.Platform, b.UUID = job, platform, fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		b.Start = time.Date(2026, 1, n, 0, 0, 0, 0, time.UTC)
		b.Finish = b.Start.Add(time.Minute)
		b.InputID = input(in)
		b.Artifacts = []NewArtifact{{Path: "bin/x", SHA256: sum([]byte(bin)), Size: int64(len(bin))}}
		if failed {
			b.MainBinary = -1
			b.ResultCode = 1 << 8
		}
		ids = append(ids, insertBuild(t, d, b))
	}
	add("a", "p", "I1", "X", false)
	add("a", "p", "I1", "X", false)
	add("a", "p", "I1", "Y", false)
	add("a", "q", "I1", "X", false)
	add("a", "p", "I2", "X", true)
	add("b", "p", "I1", "Z", false)
	add("b", "p", "I1", "X", false) // X is in other groups, new in this one
	add("b", "p", "I1", "Z", false)
	check := func(when string, want int) {
		t.Helper()
		table, truth := groupStrings(t, d)
		if !reflect.DeepEqual(table, truth) || len(truth) != want {
			t.Errorf("%s: repro_group %q, want %q (%d groups)", when, table, truth, want)
		}
	}
	check("after uploads", 3)
	err := d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		_, _, err := d.RemoveBuilds(ctx, tx, []int64{ids[0], ids[2]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after vacuum", 3)
	err = d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		_, err := d.RemoveJob(ctx, tx, "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after job removal", 1)
}
