package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// sidecar is the part of a vector's JSON the tests use.
type sidecar struct {
	DecodeOK bool   `json:"decode_ok"`
	UUID     string `json:"uuid"`
	Derived  struct {
		Stored []struct {
			Path   string `json:"path"`
			SHA256 string `json:"sha256"`
		} `json:"stored_artifacts"`
	} `json:"builder_web_derived"`
}

type vector struct {
	name string // without .full
	file string
	meta sidecar
}

func vectors(t *testing.T) (valid, malformed []vector) {
	t.Helper()
	dir := testenv.SharedTestdata(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.full"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in %s: %v", dir, err)
	}
	for _, f := range files {
		v := vector{name: strings.TrimSuffix(filepath.Base(f), ".full"), file: f}
		b, err := os.ReadFile(strings.TrimSuffix(f, ".full") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &v.meta); err != nil {
			t.Fatalf("%s.json: %v", v.name, err)
		}
		if v.meta.DecodeOK {
			valid = append(valid, v)
		} else {
			malformed = append(malformed, v)
		}
	}
	return valid, malformed
}

// newUploadDir returns a migrated data directory with the unrestricted
// user "op".
func newUploadDir(t *testing.T) string {
	t.Helper()
	dir := newDataDir(t)
	mustRun(t, "op-password\n", "user-add", "op", "--unrestricted", "-d", dir)
	return dir
}

// includeAllValid includes every valid vector, each into the first data
// directory that does not hold its UUID yet (several probes share one), and
// returns the directory of each vector.
func includeAllValid(t *testing.T, valid []vector) map[string]string {
	t.Helper()
	var groups [][]vector
	for _, v := range valid {
		placed := false
		for i, g := range groups {
			if !containsUUID(g, v.meta.UUID) {
				groups[i] = append(g, v)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []vector{v})
		}
	}
	where := map[string]string{}
	for _, g := range groups {
		dir := newUploadDir(t)
		args := []string{"include", "-d", dir}
		for _, v := range g {
			args = append(args, v.file)
			where[v.name] = dir
		}
		r := mustRun(t, "", args...)
		if want := "included " + itoa(len(g)) + ", failed 0\n"; r.stdout != want {
			t.Errorf("include printed %q, want %q (stderr %q)", r.stdout, want, r.stderr)
		}
	}
	return where
}

func containsUUID(g []vector, uuid string) bool {
	for _, v := range g {
		if v.meta.UUID == uuid {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestIncludeValidVectors(t *testing.T) {
	valid, _ := vectors(t)
	where := includeAllValid(t, valid)
	ctx := context.Background()
	for _, v := range valid {
		d := openDB(t, where[v.name])
		b, err := d.BuildByUUID(ctx, v.meta.UUID)
		if err != nil {
			t.Errorf("%s: build %s not stored: %v", v.name, v.meta.UUID, err)
			continue
		}
		if b.Username != "op" {
			t.Errorf("%s: uploader %q, want op", v.name, b.Username)
		}
		arts, err := d.Artifacts(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) != len(v.meta.Derived.Stored) {
			t.Errorf("%s: %d artifacts stored, sidecar says %d", v.name, len(arts), len(v.meta.Derived.Stored))
		}
	}
}

func TestIncludeReportsFailures(t *testing.T) {
	valid, malformed := vectors(t)
	dir := newUploadDir(t)
	args := []string{"include", "-d", dir, testenv.Vector(t, "minimal.full")}
	for _, v := range malformed {
		args = append(args, v.file)
	}
	missing := filepath.Join(t.TempDir(), "missing.full")
	args = append(args, missing)
	r := runCmd(t, "", args...)
	if r.code != 1 {
		t.Errorf("include of malformed vectors: exit %d, want 1", r.code)
	}
	if want := "included 1, failed " + itoa(len(malformed)+1) + "\n"; r.stdout != want {
		t.Errorf("include printed %q, want %q", r.stdout, want)
	}
	for _, v := range malformed {
		if !strings.Contains(r.stderr, v.file+": ") {
			t.Errorf("failure of %s not reported; stderr:\n%s", v.name, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, missing+": ") {
		t.Errorf("missing file not reported; stderr:\n%s", r.stderr)
	}
	if ents := testenv.Staged(t, dir); len(ents) != 0 {
		t.Errorf("staging holds %q after failed includes", ents)
	}

	// Including the same record twice is reported as a conflict.
	r = runCmd(t, "", "include", "-d", dir, testenv.Vector(t, "minimal.full"))
	if r.code != 1 || !strings.Contains(r.stderr, "Build with same uuid exists") || r.stdout != "included 0, failed 1\n" {
		t.Errorf("duplicate include: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// Choosing the uploader.
	mustRun(t, "password\n", "user-add", "second", "-d", dir)
	wantFail(t, "name the uploader with --user", "", "include", "-d", dir, valid[0].file)
	wantFail(t, "unknown user: nobody", "", "include", "-d", dir, "--user", "nobody", valid[0].file)
	// A restricted user cannot create jobs.
	r = runCmd(t, "", "include", "-d", dir, "--user", "second", testenv.Vector(t, "failed_exit1.full"))
	if r.code != 1 || !strings.Contains(r.stderr, "may not upload to job albatross") {
		t.Errorf("restricted include: exit %d, stderr %q", r.code, r.stderr)
	}
	// A directory stands for its *.full files.
	r = runCmd(t, "", "include", "-d", dir, "--user", "op", testenv.SharedTestdata(t))
	if r.code != 1 || !strings.HasPrefix(r.stdout, "included ") {
		t.Errorf("include of the test data directory: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestExtractBuild(t *testing.T) {
	valid, _ := vectors(t)
	where := includeAllValid(t, valid)
	ctx := context.Background()
	for _, v := range valid {
		t.Run(v.name, func(t *testing.T) {
			dir := where[v.name]
			dest := filepath.Join(t.TempDir(), "out.full")
			// Upper-case UUIDs are accepted.
			mustRun(t, "", "extract-build", strings.ToUpper(v.meta.UUID), "-d", dir, "--dest", dest)
			gotBytes, err := os.ReadFile(dest)
			if err != nil {
				t.Fatal(err)
			}
			got, err := builder.Decode(gotBytes)
			if err != nil {
				t.Fatalf("extracted record does not decode: %v", err)
			}
			in, err := os.ReadFile(v.file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := builder.Decode(in)
			if err != nil {
				t.Fatal(err)
			}
			compareExec(t, got, want)

			// Files come in reverse database order.
			d := openDB(t, dir)
			b, err := d.BuildByUUID(ctx, v.meta.UUID)
			if err != nil {
				t.Fatal(err)
			}
			arts, err := d.Artifacts(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range got.Files {
				if a := arts[len(arts)-1-i]; f.Path != a.Filepath {
					t.Errorf("file %d is %s, want %s (reverse database order)", i, f.Path, a.Filepath)
				}
			}
		})
	}

	dir := where["success_hvt"]
	wantFail(t, "bad uuid", "", "extract-build", "not-a-uuid", "-d", dir)
	wantFail(t, "build not found", "", "extract-build", "00000000-0000-4000-8000-000000000000", "-d", dir)
	// The default destination is "full" in the working directory.
	t.Chdir(t.TempDir())
	mustRun(t, "", "extract-build", "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18", "-d", dir)
	if _, err := os.Stat("full"); err != nil {
		t.Errorf("default destination: %v", err)
	}
}

// compareExec checks what upload-format.md §6 says survives storing and
// re-encoding a record.
func compareExec(t *testing.T, got, want *builder.Exec) {
	t.Helper()
	if got.Job != want.Job {
		t.Errorf("job = %+v, want %+v", got.Job, want.Job)
	}
	if got.UUID != want.UUID {
		t.Errorf("uuid = %x, want %x", got.UUID, want.UUID)
	}
	if !got.Start.Equal(want.Start) || !got.Finish.Equal(want.Finish) {
		t.Errorf("times = %v, %v; want %v, %v", got.Start, got.Finish, want.Start, want.Finish)
	}
	// The result goes through the database's integer encoding.
	if wr := builder.UnpackResult(builder.PackResult(want.Result)); got.Result != wr {
		t.Errorf("result = %+v, want %+v (upload %+v)", got.Result, wr, want.Result)
	}
	if len(got.Console) != len(want.Console) {
		t.Errorf("%d console lines, want %d", len(got.Console), len(want.Console))
	} else {
		for i, g := range got.Console {
			w := want.Console[i]
			if g.Data != w.Data {
				t.Errorf("console line %d = %q, want %q", i, g.Data, w.Data)
			}
			// Millisecond precision; deltas wrap like OCaml's Int64.
			if diff := g.Delta - w.Delta; diff <= -1e6 || diff >= 1e6 {
				t.Errorf("console line %d delta = %d ns, want %d ns (±1 ms)", i, g.Delta, w.Delta)
			}
		}
	}
	wantFiles := map[string]string{}
	for _, f := range want.Files {
		if base := path.Base(f.Path); base == "README.md" || strings.HasSuffix(base, ".build-hashes") {
			continue
		}
		wantFiles[f.Path] = string(f.Data)
	}
	if len(got.Files) != len(wantFiles) {
		t.Errorf("%d files, want %d", len(got.Files), len(wantFiles))
	}
	for _, f := range got.Files {
		if data, ok := wantFiles[f.Path]; !ok || data != string(f.Data) {
			t.Errorf("file %s: present in upload %v, same content %v", f.Path, ok, data == string(f.Data))
		}
	}
}

func TestJobRemove(t *testing.T) {
	ctx := context.Background()
	dir := newUploadDir(t)
	mustRun(t, "", "include", "-d", dir,
		testenv.Vector(t, "success_hvt.full"), testenv.Vector(t, "compare_left.full"),
		testenv.Vector(t, "compare_right.full"), testenv.Vector(t, "failed_exit1.full"))

	// A build of another job sharing compare_left's artifacts, plus one of its own.
	var other *builder.Exec
	otherFile := craft(t, "compare_left", func(e *builder.Exec) {
		e.Job.Name = "other-job"
		e.UUID[15] ^= 0xff
		e.Files = append(e.Files, builder.File{Path: "only-other.txt", Data: []byte("mine alone\n")})
		other = e
	})
	mustRun(t, "", "include", "-d", dir, otherFile)
	otherUUID := builder.UUIDString(other.UUID)

	d := openDB(t, dir)
	st, err := store.New(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	hashesOf := func(names ...string) map[string]bool {
		out := map[string]bool{}
		for _, n := range names {
			var s sidecar
			b, err := os.ReadFile(testenv.Vector(t, n+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			for _, a := range s.Derived.Stored {
				out[a.SHA256] = true
			}
		}
		return out
	}
	hvt := hashesOf("success_hvt", "compare_left", "compare_right")
	shared := hashesOf("compare_left")
	var onlyHvt int
	for h := range hvt {
		if !shared[h] {
			onlyHvt++
		}
	}
	if onlyHvt == 0 || len(shared) == 0 {
		t.Fatalf("vectors changed: %d artifacts only in hello-hvt, %d shared", onlyHvt, len(shared))
	}

	r := mustRun(t, "", "job-remove", "hello-hvt", "-d", dir)
	if want := "removed job hello-hvt: 3 builds, " + itoa(onlyHvt) + " artifact files\n"; r.stdout != want {
		t.Errorf("job-remove printed %q, want %q", r.stdout, want)
	}
	if _, err := d.JobByName(ctx, "hello-hvt"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("hello-hvt after job-remove: %v, want not found", err)
	}
	for _, uuid := range []string{"3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"} {
		if _, err := d.BuildByUUID(ctx, uuid); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("build %s after job-remove: %v, want not found", uuid, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "hello-hvt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("hello-hvt/ after job-remove: %v, want gone", err)
	}
	for h := range hvt {
		sha, _ := hex.DecodeString(h)
		_, err := os.Stat(st.ArtifactPath(sha))
		if shared[h] && err != nil {
			t.Errorf("artifact %s shared with other-job was deleted: %v", h, err)
		}
		if !shared[h] && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("artifact %s only hello-hvt used is still there (%v)", h, err)
		}
	}
	// The other jobs are untouched and still extract.
	mustRun(t, "", "extract-build", otherUUID, "-d", dir, "--dest", filepath.Join(t.TempDir(), "x"))
	if _, err := d.JobByName(ctx, "albatross"); err != nil {
		t.Errorf("albatross after job-remove: %v", err)
	}

	r = mustRun(t, "", "job-remove", "other-job", "-d", dir)
	if want := "removed job other-job: 1 builds, " + itoa(len(shared)+1) + " artifact files\n"; r.stdout != want {
		t.Errorf("job-remove printed %q, want %q", r.stdout, want)
	}
	err = filepath.WalkDir(filepath.Join(dir, store.ArtifactsDir), func(p string, de fs.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			t.Errorf("%s left after removing every job with artifacts", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Unknown jobs are not an error.
	r = mustRun(t, "", "job-remove", "hello-hvt", "-d", dir)
	if !strings.Contains(r.stdout, "does not exist") {
		t.Errorf("job-remove of an unknown job printed %q", r.stdout)
	}
}

func TestAccessAndUploaderRemoval(t *testing.T) {
	ctx := context.Background()
	dir := newUploadDir(t)
	mustRun(t, "", "include", "-d", dir, testenv.Vector(t, "failed_exit1.full"))
	mustRun(t, "password\n", "user-add", "builder", "-d", dir)
	d := openDB(t, dir)
	u, err := d.UserByName(ctx, "builder")
	if err != nil {
		t.Fatal(err)
	}
	access := func() bool {
		ok, err := d.HasAccess(ctx, u.ID, "albatross")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	wantFail(t, "unknown user: nobody", "", "access-add", "nobody", "albatross", "-d", dir)
	wantFail(t, "job not found: no-such-job", "", "access-add", "builder", "no-such-job", "-d", dir)
	wantFail(t, "unknown user: nobody", "", "access-remove", "nobody", "albatross", "-d", dir)
	wantFail(t, "job not found: no-such-job", "", "access-remove", "builder", "no-such-job", "-d", dir)

	mustRun(t, "", "access-add", "builder", "-d", dir, "albatross")
	mustRun(t, "", "access-add", "builder", "albatross", "-d", dir) // twice is fine
	if !access() {
		t.Error("no access after access-add")
	}
	// The restricted user can now add builds of that job.
	another := craft(t, "failed_exit1", func(e *builder.Exec) { e.UUID[15] ^= 0xff })
	mustRun(t, "", "include", "--user", "builder", "-d", dir, another)
	r := runCmd(t, "", "include", "--user", "builder", "-d", dir, testenv.Vector(t, "minimal.full"))
	if r.code != 1 || !strings.Contains(r.stderr, "may not upload to job m") {
		t.Errorf("include to a job not on the access list: exit %d, stderr %q", r.code, r.stderr)
	}

	mustRun(t, "", "access-remove", "builder", "albatross", "-d", dir)
	if access() {
		t.Error("access after access-remove")
	}

	// A user who uploaded builds can only be disabled.
	wantFail(t, "user-disable", "", "user-remove", "op", "-d", dir)
	mustRun(t, "", "user-disable", "op", "-d", dir)
	if _, err := d.UserByName(ctx, "op"); err != nil {
		t.Errorf("op after user-disable: %v", err)
	}
}

// craft writes a variant of a vector, changed by mutate, to a file.
func craft(t *testing.T, name string, mutate func(*builder.Exec)) string {
	t.Helper()
	in, err := os.ReadFile(testenv.Vector(t, name+".full"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := builder.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	mutate(e)
	rec, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), name+"-variant.full")
	if err := os.WriteFile(f, rec, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}
