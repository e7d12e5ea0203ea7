package db

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Uploads keep latest_build right on either backend (migration 0010's
// incremental trigger and its PostgreSQL twin): a newer build replaces
// the pair's entry, an older one uploaded late, a failed newer one and a
// later one with the same start (the smaller id wins) do not.
// TestLatestBuildFollowsBuilds covers more but only on SQLite (it writes
// the file as another program).
func TestLatestBuildUploadsOnBothBackends(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	n := 0
	add := func(job, platform string, day int, failed bool) int64 {
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
		return insertBuild(t, d, b)
	}
	add("a", "p", 2, false)
	newest := add("a", "p", 5, false)
	add("a", "p", 3, false) // older, uploaded late
	add("a", "p", 9, true)  // newer but failed
	first := add("b", "p", 4, false)
	add("b", "p", 4, false) // same start: the smaller id stays

	table := latestRows(t, d, `SELECT job, platform, build FROM latest_build ORDER BY job, platform`)
	truth := latestRows(t, d, latestTruth)
	if !reflect.DeepEqual(table, truth) || len(truth) != 2 {
		t.Errorf("latest_build %q, want %q (2 entries)", table, truth)
	}
	for _, id := range []int64{newest, first} {
		if !slices.ContainsFunc(table, func(e string) bool { return strings.HasSuffix(e, fmt.Sprintf("=%d", id)) }) {
			t.Errorf("latest_build %q lacks build %d", table, id)
		}
	}
}
