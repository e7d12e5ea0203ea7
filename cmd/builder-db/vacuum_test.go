package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// Builds of the shared vectors. success_hvt and compare_left are builds of
// hello-hvt with identical artifacts (and input id); compare_right is a
// later build with other artifacts; failed_exit1 is a failed albatross build.
const (
	uuidS = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18" // success_hvt, 2024-09-04
	uuidL = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" // compare_left, 2024-09-05
	uuidR = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e" // compare_right, 2024-09-06
	uuidF = "0b9d6e4f-2c71-4e38-a5d0-7f13c8b2e964" // failed_exit1
)

// Artifact hashes of the vectors (their sidecar JSONs).
const (
	shaBinSL    = "715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e"
	shaSwitchSL = "48d48131d45621c6cb35aeacce3e61461f4217dc4b2db4bddfedd13101cdf9de"
	shaBinR     = "3a2ef05e8039" // prefix; see artifactFile
)

// helloDir is a data directory holding the four vector builds and the
// records in extra.
func helloDir(t *testing.T, extra ...string) string {
	t.Helper()
	dir := newUploadDir(t)
	args := []string{"include", "-d", dir}
	for _, v := range []string{"success_hvt", "compare_left", "compare_right", "failed_exit1"} {
		args = append(args, testenv.Vector(t, v+".full"))
	}
	mustRun(t, "", append(args, extra...)...)
	return dir
}

// variant writes success_hvt as another build: a new UUID, a start time,
// and whatever mutate changes.
func variant(t *testing.T, uuid string, start time.Time, mutate func(*builder.Exec)) string {
	t.Helper()
	return craft(t, "success_hvt", func(e *builder.Exec) {
		id, err := builder.ParseUUID(uuid)
		if err != nil {
			t.Fatal(err)
		}
		took := e.Finish.Sub(e.Start)
		e.UUID, e.Start, e.Finish = id, start.UTC(), start.Add(took).UTC()
		if mutate != nil {
			mutate(e)
		}
	})
}

// failedVariant makes the build fail: no main binary, exit 1.
func failedVariant(e *builder.Exec) {
	e.Result = builder.Result{Kind: builder.Exited, Code: 1}
	var keep []builder.File
	for _, f := range e.Files {
		if !strings.HasPrefix(f.Path, "bin/") {
			keep = append(keep, f)
		}
	}
	e.Files = keep
}

func day(d int, hour int) time.Time {
	return time.Date(2024, 9, d, hour, 0, 0, 0, time.UTC)
}

// present reports which of the builds are stored.
func present(t *testing.T, d *db.DB, uuids ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, u := range uuids {
		ok, err := d.BuildExists(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		out[u] = ok
	}
	return out
}

// wantBuilds checks which of the builds are stored, and that the build
// directory of each exists exactly when its row does.
func wantBuilds(t *testing.T, dir string, want map[string]bool) {
	t.Helper()
	d := openDB(t, dir)
	for u, w := range want {
		if got := present(t, d, u)[u]; got != w {
			t.Errorf("build %s stored = %v, want %v", u, got, w)
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "*", u))
		if (len(matches) == 1) != w {
			t.Errorf("build directory of %s: %v, want present = %v", u, matches, w)
		}
	}
}

// artifactFile is the path of the artifact file whose hash starts with prefix.
func artifactFile(t *testing.T, dir, prefix string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, store.ArtifactsDir, prefix[:2], prefix+"*"))
	if len(matches) > 1 {
		t.Fatalf("several artifact files start with %s", prefix)
	}
	if len(matches) == 0 {
		return ""
	}
	return matches[0]
}

func TestVacuumOlderThanSharedArtifacts(t *testing.T) {
	dir := helloDir(t)
	// success_hvt finished 2024-09-04T13:24:24.437Z; compare_left shares
	// all its artifact files, so none is deleted.
	r := mustRun(t, "", "vacuum", "older-than", "2024-09-04T13:24:24.437Z", "-d", dir)
	want := "removed build hello-hvt " + uuidS + " 2024-09-04 13:20:11Z\n" +
		"removed 1 build of 2 jobs and 0 artifact files\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	wantBuilds(t, dir, map[string]bool{uuidS: false, uuidL: true, uuidR: true, uuidF: true})
	for _, sha := range []string{shaBinSL, shaSwitchSL} {
		if artifactFile(t, dir, sha) == "" {
			t.Errorf("shared artifact %s deleted", sha)
		}
	}

	// Now compare_left's files are its own: they go with it, except what
	// the failed albatross build (2024-09-04T14:21Z) shares with nobody.
	r = mustRun(t, "", "vacuum", "older-than", "2024-09-05T23:00:00+00:00", "--job", "hello-hvt", "-d", dir)
	if !strings.Contains(r.stdout, "removed build hello-hvt "+uuidL) ||
		!strings.HasSuffix(r.stdout, "removed 1 build of 1 job and 4 artifact files\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	wantBuilds(t, dir, map[string]bool{uuidL: false, uuidR: true, uuidF: true})
	for _, sha := range []string{shaBinSL, shaSwitchSL} {
		if f := artifactFile(t, dir, sha); f != "" {
			t.Errorf("unshared artifact %s kept", f)
		}
	}
	if artifactFile(t, dir, shaBinR) == "" {
		t.Error("compare_right's binary deleted")
	}
	// What is left is consistent.
	r = mustRun(t, "", "verify-data-dir", "-d", dir)
	if !strings.HasSuffix(r.stdout, ": 0 errors, 0 warnings\n") {
		t.Errorf("verify-data-dir after vacuum: %q", r.stdout)
	}
}

func TestVacuumExceptLatest(t *testing.T) {
	alpine := func(e *builder.Exec) { e.Job.Platform = "alpine-3.20" }
	a1, a2 := testUUID(1), testUUID(2)
	dir := helloDir(t, variant(t, a1, day(10, 0), alpine), variant(t, a2, day(11, 0), alpine))
	all := []string{uuidS, uuidL, uuidR, uuidF, a1, a2}
	stored := func(gone ...string) map[string]bool {
		m := map[string]bool{}
		for _, u := range all {
			m[u] = true
		}
		for _, u := range gone {
			m[u] = false
		}
		return m
	}

	// Across platforms, only the alpine build of the 11th stays.
	r := mustRun(t, "", "vacuum", "except-latest", "1", "--dry-run", "-d", dir)
	for _, u := range []string{a1, uuidR, uuidL, uuidS} {
		if !strings.Contains(r.stdout, "would remove build hello-hvt "+u+" ") {
			t.Errorf("dry run does not list %s: %q", u, r.stdout)
		}
	}
	for _, line := range []string{
		"Job albatross has no more than 1 builds; not removing any builds\n",
		"dry run: would remove 4 builds of 2 jobs\n",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("dry run: %q lacks %q", r.stdout, line)
		}
	}
	wantBuilds(t, dir, stored())

	// Per platform: debian-12 keeps compare_right, alpine is not touched.
	r = mustRun(t, "", "vacuum", "except-latest", "1", "--platform", "debian-12", "--job", "hello-hvt", "-d", dir)
	if !strings.HasSuffix(r.stdout, "removed 2 builds of 1 job and 0 artifact files\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	// Oldest first.
	if i, j := strings.Index(r.stdout, uuidS), strings.Index(r.stdout, uuidL); i < 0 || j < i {
		t.Errorf("removal order: %q", r.stdout)
	}
	wantBuilds(t, dir, stored(uuidS, uuidL))

	// The alpine builds kept the shared files alive.
	if artifactFile(t, dir, shaBinSL) == "" {
		t.Error("artifact shared with the alpine builds deleted")
	}
	r = mustRun(t, "", "vacuum", "except-latest", "2", "-d", dir, "--job", "hello-hvt")
	if !strings.Contains(r.stdout, "removed build hello-hvt "+uuidR) {
		t.Errorf("stdout %q", r.stdout)
	}
	wantBuilds(t, dir, stored(uuidS, uuidL, uuidR))
}

func TestVacuumExceptLatestSuccessful(t *testing.T) {
	// A failed build between compare_left and compare_right, and one after.
	f1, f2 := testUUID(3), testUUID(4)
	dir := helloDir(t, variant(t, f1, day(5, 18), failedVariant), variant(t, f2, day(7, 0), failedVariant))

	r := mustRun(t, "", "vacuum", "except-latest-successful", "5", "-d", dir)
	for _, line := range []string{
		"Job hello-hvt has fewer than 5 successful builds; not removing any builds\n",
		"Job albatross has fewer than 5 successful builds; not removing any builds\n",
		"removed 0 builds of 2 jobs and 0 artifact files\n",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("%q lacks %q", r.stdout, line)
		}
	}

	// The 2nd newest successful build is compare_left: success_hvt
	// finished before it and goes; the failed build of the 5th finished
	// after it and stays, as does everything newer.
	r = mustRun(t, "", "vacuum", "except-latest-successful", "2", "--job", "hello-hvt", "-d", dir)
	if want := "removed build hello-hvt " + uuidS + " 2024-09-04 13:20:11Z\nremoved 1 build of 1 job and 0 artifact files\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	wantBuilds(t, dir, map[string]bool{uuidS: false, uuidL: true, f1: true, uuidR: true, f2: true, uuidF: true})

	// N = 1: compare_right is kept, everything of hello-hvt finished
	// before it goes.
	mustRun(t, "", "vacuum", "except-latest-successful", "1", "--job", "hello-hvt", "-d", dir)
	wantBuilds(t, dir, map[string]bool{uuidL: false, f1: false, uuidR: true, f2: true, uuidF: true})
}

func TestVacuumErrors(t *testing.T) {
	dir := helloDir(t)
	cases := []struct {
		msg  string
		args []string
	}{
		{"Unknown job(s): nope, nix", []string{"except-latest", "1", "--job", "nope", "--job", "hello-hvt", "--job", "nix"}},
		{"only UTC timezone is allowed", []string{"older-than", "2024-09-05T00:00:00+02:00"}},
		{"only UTC timezone is allowed", []string{"older-than", "2024-09-05T00:00:00-00:00"}},
		{"want RFC 3339", []string{"older-than", "2024-09-05"}},
		{"N must be positive", []string{"except-latest", "0"}},
		{"N must be positive", []string{"except-latest-successful", "--", "-1"}},
		{"is not a number", []string{"except-latest", "three"}},
		{`unknown mode "newer-than"`, []string{"newer-than", "1"}},
		{"missing arguments", []string{"except-latest"}},
	}
	for _, c := range cases {
		wantFail(t, c.msg, "", append([]string{"vacuum", "-d", dir}, c.args...)...)
	}
	wantBuilds(t, dir, map[string]bool{uuidS: true, uuidL: true, uuidR: true, uuidF: true})
}

// A file that cannot be deleted is reported and fails the command; the
// rows are gone regardless. (A non-empty directory in place of an artifact
// file cannot be removed even by root.)
func TestVacuumReportsUndeletableFiles(t *testing.T) {
	dir := helloDir(t)
	bin := artifactFile(t, dir, shaBinR)
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bin, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := wantFail(t, "1 files or directories could not be deleted", "",
		"vacuum", "older-than", "2030-01-01T00:00:00Z", "--job", "hello-hvt", "-d", dir)
	if !strings.Contains(r.stdout, "removed build hello-hvt "+uuidR) || !strings.Contains(r.stderr, "warning: remove _artifacts/3a/") {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	wantBuilds(t, dir, map[string]bool{uuidS: false, uuidL: false, uuidR: false, uuidF: true})
}

// testUUID is a valid version-4 UUID numbered n.
func testUUID(n int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}
