package db

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestJobEntriesMatchesGrouping checks JobEntries, which reads a job's
// history only as far as a page needs, against the plain definition of the
// job page (product §2.14): group all the job's builds by main-binary hash,
// place each output at its newest build, merge failed builds in. Outputs
// interleave, recur across platforms and jobs, and builds share start times,
// so every page boundary meets outputs that earlier pages showed.
func TestJobEntriesMatchesGrouping(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	rng := rand.New(rand.NewPCG(1, 2))
	platforms := []string{"p1", "p2", "p3"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	type built struct {
		id       int64
		job      string
		platform string
		start    time.Time
		sha      []byte // nil: failed
	}
	var all []built
	for i := range 400 { // j1 has more builds than one scan query reads (jobScanChunk)
		job := "j1"
		if i%4 == 3 {
			job = "j2" // same hashes, other job: never counted for j1
		}
		b := NewBuild{
			Job: job, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Platform: platforms[rng.IntN(len(platforms))],
			// Few distinct start times, so that ties (ordered by id) occur.
			Start:  base.Add(time.Duration(rng.IntN(120)) * time.Minute),
			UserID: u.ID, MainBinary: -1,
		}
		b.Finish, b.Script, b.Console = b.Start.Add(time.Minute), "s", "c"
		var sha []byte
		if rng.IntN(6) > 0 {
			sha = sum([]byte{byte(rng.IntN(12))})
			b.Artifacts = append(b.Artifacts, NewArtifact{Path: "bin/x", SHA256: sha, Size: 1})
			b.MainBinary = 0
		} else {
			b.ResultCode = 1 << 8 // exited 1
		}
		// An other file with the hash of some main binary: not an output.
		b.Artifacts = append(b.Artifacts, NewArtifact{Path: "other", SHA256: sum([]byte{byte(rng.IntN(12))}), Size: 1})
		all = append(all, built{insertBuild(t, d, b), job, b.Platform, b.Start, sha})
	}
	job, err := d.JobByName(t.Context(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		id    int64
		count int
	}
	for _, platform := range []string{"", "p2"} {
		for _, failed := range []bool{false, true} {
			// The definition, on all builds at once.
			var builds []built
			for _, b := range all {
				if b.job == "j1" && (platform == "" || b.platform == platform) {
					builds = append(builds, b)
				}
			}
			slices.SortFunc(builds, func(a, b built) int {
				if c := b.start.Compare(a.start); c != 0 {
					return c
				}
				return int(a.id - b.id)
			})
			var want []entry
			index := map[string]int{}
			for _, b := range builds {
				if b.sha == nil {
					if failed {
						want = append(want, entry{b.id, 1})
					}
					continue
				}
				if i, ok := index[string(b.sha)]; ok {
					want[i].count++
					continue
				}
				index[string(b.sha)] = len(want)
				want = append(want, entry{b.id, 1})
			}
			for _, limit := range []int{0, 1, 2, 3, 7, 50} {
				t.Run(fmt.Sprintf("platform=%q failed=%v limit=%d", platform, failed, limit), func(t *testing.T) {
					var got []entry
					var after *Cursor
					for page := 0; ; page++ {
						entries, next, err := d.JobEntries(t.Context(), JobQuery{JobID: job.ID, Platform: platform,
							Failed: failed, After: after, Limit: limit})
						if err != nil {
							t.Fatal(err)
						}
						for _, e := range entries {
							if e.JobID != job.ID || (platform != "" && e.Platform != platform) {
								t.Fatalf("entry %d: job %d platform %q, want job %d platform %q", e.ID, e.JobID, e.Platform, job.ID, platform)
							}
							if (e.Main == nil) != (e.MainBinary == nil) || e.Main != nil && !bytes.Equal(e.Main.SHA256, all[e.ID-1].sha) {
								t.Fatalf("entry %d: main binary %+v", e.ID, e.Main)
							}
							got = append(got, entry{e.ID, e.Count})
						}
						if limit > 0 && len(entries) > limit {
							t.Fatalf("page %d: %d entries, limit %d", page, len(entries), limit)
						}
						if next == nil {
							break
						}
						if limit == 0 || len(entries) != limit {
							t.Fatalf("page %d: next cursor after %d entries, limit %d", page, len(entries), limit)
						}
						after = next
					}
					if !slices.Equal(got, want) {
						t.Errorf("entries (build id, count):\ngot  %v\nwant %v", got, want)
					}
				})
			}
		}
	}
}
