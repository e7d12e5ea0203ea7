package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// pullBuild is one build uploaded to the source server of the pull tests.
type pullBuild struct {
	job   string
	n     int       // makes the UUID
	start time.Time // zero: pullT0 + n minutes
	bin   string    // main binary content; "" for a failed build
	input string    // names the input files: same input, same input id
}

// pullT0 is recent, so that the source's /all-builds lists every job.
var pullT0 = time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -2)

func pullUUID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func (b pullBuild) record(t *testing.T) []byte {
	t.Helper()
	u, err := builder.ParseUUID(pullUUID(b.n))
	if err != nil {
		t.Fatal(err)
	}
	start := b.start
	if start.IsZero() {
		start = pullT0.Add(time.Duration(b.n) * time.Minute)
	}
	e := &builder.Exec{Header: builder.Header{
		Job:     builder.Job{Name: b.job, Script: "#!/bin/sh\necho build\n", Platform: "debian-12"},
		UUID:    u,
		Console: []builder.ConsoleLine{{Delta: 1e9, Data: "done " + b.job}},
		Start:   start,
		Finish:  start.Add(90 * time.Second),
		Result:  builder.Result{Kind: builder.Exited},
	}}
	if b.bin == "" {
		e.Result.Code = 1
	} else {
		e.Files = append(e.Files, builder.File{Path: "bin/" + b.job + ".hvt", Data: []byte(b.bin)})
	}
	e.Files = append(e.Files,
		builder.File{Path: "README.md", Data: []byte("# " + b.job + "\n")},
		builder.File{Path: "opam-switch", Data: []byte("opam-version: \"2.0\"\n# " + b.input + "\n")},
		builder.File{Path: "build-environment", Data: []byte("PATH=/bin\n")},
		builder.File{Path: "system-packages", Data: []byte("libc 1.0\n")},
		builder.File{Path: "share/doc/" + b.job + ".txt", Data: []byte("notes of build " + pullUUID(b.n))},
	)
	rec, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// pullSource is a real builder-web on a socket with an uploader.
type pullSource struct {
	env *apptest.Env
	url string
}

func newPullSource(t *testing.T, builds ...pullBuild) *pullSource {
	t.Helper()
	s := &pullSource{env: apptest.New(t)}
	s.env.AddUser(t, "builder", "builder-pw", false)
	s.upload(t, builds...)
	s.url = s.env.Serve(t)
	return s
}

func (s *pullSource) upload(t *testing.T, builds ...pullBuild) {
	t.Helper()
	for _, b := range builds {
		if r := s.env.Upload(t, "/upload", "builder", "builder-pw", b.record(t)); r.Status != http.StatusCreated {
			t.Fatalf("upload %s #%d: %d %s", b.job, b.n, r.Status, r.Body)
		}
	}
}

// dataFiles lists a data directory's files with their SHA-256, except the
// database's.
func dataFiles(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, store.DBFile) {
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The scenario: a real source server and a data directory pulled
// into with --job, --since and without filters; a second pull transfers
// nothing; a new build on the source is pulled alone; a corrupted artifact
// on the source is refused and leaves nothing behind.
func TestPull(t *testing.T) {
	ctx := context.Background()
	src := newPullSource(t,
		pullBuild{job: "alpha", n: 1, bin: "A", input: "I1"},
		pullBuild{job: "alpha", n: 2, bin: "A", input: "I1"}, // same binary: only in /job/alpha/output/…
		pullBuild{job: "alpha", n: 3, bin: "B", input: "I2"},
		pullBuild{job: "beta", n: 4, input: "I4"}, // failed only: not on /all-builds
		pullBuild{job: "gamma", n: 5, bin: "G", input: "I5", start: pullT0.Add(-24 * time.Hour)},
	)
	host := strings.TrimPrefix(src.url, "http://")
	dir := newDataDir(t)
	d := openDB(t, dir)
	stored := func(n int) bool {
		t.Helper()
		ok, err := d.BuildExists(ctx, pullUUID(n))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	wantStored := func(step string, ns ...int) {
		t.Helper()
		for n := 1; n <= 7; n++ {
			if got, want := stored(n), slices.Contains(ns, n); got != want {
				t.Errorf("%s: build #%d stored %v, want %v", step, n, got, want)
			}
		}
	}
	summary := func(r result, want string) {
		t.Helper()
		if !strings.HasPrefix(r.stdout, "pulled "+want+", ") {
			t.Errorf("summary %q, want it to start with %q", r.stdout, "pulled "+want)
		}
	}

	r := mustRun(t, "", "pull", src.url, "--job", "alpha", "-d", dir)
	summary(r, "3 new, 0 skipped, 0 refused")
	wantStored("--job alpha", 1, 2, 3)

	r = mustRun(t, "", "pull", src.url, "--since", pullT0.Format(time.RFC3339), "-d", dir)
	summary(r, "1 new, 3 skipped, 0 refused")
	wantStored("--since", 1, 2, 3, 4)

	r = mustRun(t, "", "pull", src.url, "-d", dir)
	summary(r, "1 new, 4 skipped, 0 refused")
	wantStored("all", 1, 2, 3, 4, 5)

	// Again: nothing is downloaded.
	r = mustRun(t, "", "pull", src.url, "-d", dir)
	if r.stdout != "pulled 0 new, 5 skipped, 0 refused, 0 bytes\n" {
		t.Errorf("second pull: %q, want nothing transferred", r.stdout)
	}

	// A new build on the source: exactly that one.
	src.upload(t, pullBuild{job: "alpha", n: 6, bin: "C", input: "I6"})
	r = mustRun(t, "", "pull", src.url, "-d", dir)
	summary(r, "1 new, 5 skipped, 0 refused")
	wantStored("after a new upload", 1, 2, 3, 4, 5, 6)

	// The pulled builds are stored as uploads are: /exec gives the same
	// record on both servers, and the data directory checks clean.
	// The mirror is the data directory's own SQLite database, which pull
	// wrote, also when the test's servers run on PostgreSQL.
	dst := apptest.New(t, func(c *server.Config) { c.DataDir, c.Database = dir, "" })
	for n := 1; n <= 6; n++ {
		u := "/job/x/build/" + pullUUID(n) + "/exec"
		a, b := src.env.Get(t, u), dst.Get(t, u)
		if a.Status != http.StatusOK || b.Status != http.StatusOK || !bytes.Equal(a.Body, b.Body) {
			t.Errorf("build #%d: /exec differs between source (%d, %q) and mirror (%d, %q)",
				n, a.Status, a.Body, b.Status, b.Body)
		}
	}
	// Mirrored builds show their uploader, pull:<host>, beside local ones:
	// a local rebuild of the input I1 names both.
	dst.AddUser(t, "rebuilder", "rebuilder-pw", false)
	rec := pullBuild{job: "alpha", n: 8, bin: "A", input: "I1"}.record(t)
	if r := dst.Upload(t, "/upload", "rebuilder", "rebuilder-pw", rec); r.Status != http.StatusCreated {
		t.Fatalf("local upload: %d %s", r.Status, r.Body)
	}
	repro := string(dst.Get(t, "/job/alpha/reproducibility").Body)
	if want := "by pull:" + host + ", rebuilder"; !strings.Contains(repro, want) {
		t.Errorf("reproducibility page does not show %q", want)
	}
	u, err := d.UserByName(ctx, "pull:"+host)
	if err != nil || !u.Disabled() {
		t.Errorf("uploader pull:%s: %v, disabled %v; want a disabled account", host, err, err == nil && u.Disabled())
	}
	dst.App.Close()
	mustRun(t, "", "verify-data-dir", "-d", dir)

	// One byte of an artifact changed on the source: the record and the
	// JSON disagree, the build is refused, nothing of it is left.
	src.upload(t, pullBuild{job: "alpha", n: 7, bin: "corrupt me", input: "I7"})
	sum := sha256.Sum256([]byte("corrupt me"))
	p := filepath.Join(src.env.Dir, store.ArtifactRel(sum[:]))
	if err := os.WriteFile(p, []byte("corrupt mE"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dataFiles(t, dir)
	r = wantFail(t, "refused alpha/"+pullUUID(7)+`: artifact "bin/alpha.hvt": SHA-256`, "", "pull", src.url, "-d", dir)
	summary(r, "0 new, 6 skipped, 1 refused")
	wantStored("corrupted", 1, 2, 3, 4, 5, 6)
	if after := dataFiles(t, dir); !mapsEqual(before, after) {
		t.Errorf("a refused pull changed the data directory's files")
	}
	mustRun(t, "", "verify-data-dir", "-d", dir)
}

func mapsEqual(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Bad arguments are usage errors before anything is opened.
func TestPullUsage(t *testing.T) {
	dir := newDataDir(t)
	wantFail(t, "want http(s)://host", "", "pull", "ftp://example.org", "-d", dir)
	wantFail(t, "--since", "", "pull", "http://example.org", "--since", "yesterday", "-d", dir)
	wantFail(t, "job name", "", "pull", "http://127.0.0.1:1", "--job", "../x", "-d", dir)
	// A job the source lacks is reported, not skipped in silence.
	src := newPullSource(t)
	r := wantFail(t, "refused job nope: GET "+src.url+"/job/nope/failed?limit=500: status 404", "", "pull", src.url, "--job", "nope", "-d", dir)
	if r.stdout != "pulled 0 new, 0 skipped, 1 refused, 0 bytes\n" {
		t.Errorf("summary %q", r.stdout)
	}
}
