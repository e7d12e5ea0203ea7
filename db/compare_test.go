package db

import (
	"fmt"
	"testing"
	"time"
)

// ComparableBuilds lists a job's builds that have a main binary and an
// opam-switch, newest first, up to the limit.
func TestComparableBuilds(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	start := time.Date(2024, 9, 5, 7, 3, 11, 0, time.UTC)
	build := func(i int, platform string, opamSwitch, main bool) NewBuild {
		uuid := fmt.Sprintf("3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9b%02d", i)
		b := NewBuild{
			Job: fixtureJob, UUID: uuid, Platform: platform,
			Script: fixtureJob + "/" + uuid + "/script.txt", Console: fixtureJob + "/" + uuid + "/console.txt",
			Start: start.Add(time.Duration(i) * time.Hour), Finish: start.Add(time.Duration(i)*time.Hour + time.Minute),
			UserID: u.ID, MainBinary: -1,
		}
		if main {
			bin := []byte(fmt.Sprintf("binary %d", i))
			b.Artifacts = append(b.Artifacts, NewArtifact{Path: "bin/x", SHA256: sum(bin), Size: int64(len(bin))})
			b.MainBinary = 0
		} else {
			b.ResultCode = 1 << 8 // exited 1
		}
		if opamSwitch {
			sw := []byte(fmt.Sprintf("switch %d", i))
			b.Artifacts = append(b.Artifacts, NewArtifact{Path: "opam-switch", SHA256: sum(sw), Size: int64(len(sw))})
		}
		return b
	}
	insertBuild(t, d, build(1, "debian-12", true, true))
	insertBuild(t, d, build(2, "freebsd-14", true, true))
	insertBuild(t, d, build(3, "debian-12", false, true)) // bare binary upload
	insertBuild(t, d, build(4, "debian-12", true, false)) // failed
	insertBuild(t, d, build(5, "debian-12", true, true))
	j, err := d.JobByName(ctx, fixtureJob)
	if err != nil {
		t.Fatal(err)
	}

	got, err := d.ComparableBuilds(ctx, j.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"05 debian-12", "02 freebsd-14", "01 debian-12"}
	if len(got) != len(want) {
		t.Fatalf("got %d builds %+v, want %v", len(got), got, want)
	}
	for i, b := range got {
		if s := b.UUID[len(b.UUID)-2:] + " " + b.Platform; s != want[i] {
			t.Errorf("build %d = %s, want %s", i, s, want[i])
		}
		if len(b.MainSHA256) != 32 {
			t.Errorf("build %d: main binary hash %x", i, b.MainSHA256)
		}
	}
	if s := got[0].Start(); !s.Equal(start.Add(5 * time.Hour)) {
		t.Errorf("start = %v, want %v", s, start.Add(5*time.Hour))
	}

	if got, err := d.ComparableBuilds(ctx, j.ID, 2); err != nil || len(got) != 2 {
		t.Errorf("limit 2: %d builds, %v", len(got), err)
	}
	if got, err := d.ComparableBuilds(ctx, j.ID+100, 50); err != nil || len(got) != 0 {
		t.Errorf("unknown job: %v, %v; want none", got, err)
	}
}
