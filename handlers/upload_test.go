package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

func vectors(t *testing.T) map[string]vectorSidecar {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(testenv.SharedTestdata(t), "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	out := map[string]vectorSidecar{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var s vectorSidecar
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[strings.TrimSuffix(filepath.Base(n), ".json")] = s
	}
	return out
}

func jsonTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05") + "-00:00"
}

// Every valid vector uploads (201) and its build JSON and artifact
// downloads match the sidecar; every malformed one is a 400 that leaves
// nothing behind.
func TestUploadVectors(t *testing.T) {
	for name, sc := range vectors(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := apptest.New(t)
			env.AddUser(t, "up", "secret-pw", false)
			resp := env.Upload(t, "/upload", "up", "secret-pw", apptest.Vector(t, name+".full"))
			if !sc.DecodeOK {
				if resp.Status != http.StatusBadRequest {
					t.Fatalf("upload: status %d (%s), want 400", resp.Status, resp.Body)
				}
				if !strings.Contains(string(resp.Body), "malformed") {
					t.Errorf("upload: body %q does not say the record is malformed", resp.Body)
				}
				if files := env.Files(t); len(files) != 0 {
					t.Errorf("files left after a rejected upload: %v", files)
				}
				env.AssertNoBuilds(t)
				return
			}
			if resp.Status != http.StatusCreated {
				t.Fatalf("upload: status %d (%s), want 201", resp.Status, resp.Body)
			}
			base := "/job/" + sc.Job.Name + "/build/" + sc.UUID
			r := env.Get(t, base, "Accept", "application/json")
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: status %d (%s)", base, r.Status, r.Body)
			}
			var got struct {
				Job, UUID, Platform   string
				StartTime, FinishTime string `json:"-"`
				Start                 string `json:"start_time"`
				Finish                string `json:"finish_time"`
				MainBinary            bool   `json:"main_binary"`
			}
			if err := json.Unmarshal(r.Body, &got); err != nil {
				t.Fatalf("build JSON %s: %v", r.Body, err)
			}
			want := []string{sc.Job.Name, sc.UUID, sc.Job.Platform, jsonTime(sc.Start.UnixMS), jsonTime(sc.Finish.UnixMS)}
			have := []string{got.Job, got.UUID, got.Platform, got.Start, got.Finish}
			for i := range want {
				if have[i] != want[i] {
					t.Errorf("build JSON field %d = %q, want %q", i, have[i], want[i])
				}
			}
			if got.MainBinary != (sc.Derived.MainBinary != nil) {
				t.Errorf("main_binary = %v, want %v", got.MainBinary, sc.Derived.MainBinary != nil)
			}
			for _, a := range sc.Derived.Stored {
				r := env.Get(t, base+"/f/"+pathEscape(a.Path))
				sum := sha256.Sum256(r.Body)
				if r.Status != http.StatusOK || hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(r.Body)) != a.Size {
					t.Errorf("download %s: status %d, %d bytes sha256 %x; want 200, %d bytes %s", a.Path, r.Status, len(r.Body), sum, a.Size, a.SHA256)
				}
			}
			// README.md and *.build-hashes are not stored (reference §4.3).
			for _, f := range sc.Files {
				if filepath.Base(f.Path) == "README.md" || strings.HasSuffix(f.Path, ".build-hashes") {
					if r := env.Get(t, base+"/f/"+pathEscape(f.Path)); r.Status != http.StatusNotFound {
						t.Errorf("download of unstored %s: status %d, want 404", f.Path, r.Status)
					}
				}
			}
			if left := testenv.Staged(t, env.Dir); len(left) != 0 {
				t.Errorf("staging not empty after upload: %v", left)
			}
			// The same record again is a conflict.
			if r := env.Upload(t, "/upload", "up", "secret-pw", apptest.Vector(t, name+".full")); r.Status != http.StatusConflict {
				t.Errorf("second upload: status %d (%s), want 409", r.Status, r.Body)
			}
		})
	}
}

func pathEscape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = neturl.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func TestUploadAuth(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "free", "free-password", false)
	env.AddUser(t, "bound", "pw-bound", true)
	rec := apptest.Vector(t, "success_hvt.full")
	other := apptest.Vector(t, "compare_left.full") // also job hello-hvt
	upload := func(name, user, pw string, body []byte, status int) scenario {
		sc := scenario{name: name, method: http.MethodPost, url: "/upload", body: body, status: status}
		if user != "" {
			sc.headers = []string{"Authorization", apptest.BasicAuth(user, pw)}
		}
		if status == http.StatusUnauthorized {
			sc.header = map[string]string{"WWW-Authenticate": `Basic realm="builder-web"`}
		}
		return sc
	}
	runScenarios(t, env, []scenario{
		upload("no credentials", "", "", rec, http.StatusUnauthorized),
		upload("unknown user", "nobody", "x", rec, http.StatusUnauthorized),
		upload("wrong password", "free", "wrong", rec, http.StatusUnauthorized),
		upload("restricted, job unknown", "bound", "pw-bound", rec, http.StatusForbidden),
		upload("unrestricted", "free", "free-password", rec, http.StatusCreated),
		upload("duplicate", "free", "free-password", rec, http.StatusConflict),
		upload("restricted, no access to existing job", "bound", "pw-bound", other, http.StatusForbidden),
	})
	if err := env.App.DB.AccessAdd(context.Background(), "bound", "hello-hvt"); err != nil {
		t.Fatal(err)
	}
	runScenarios(t, env, []scenario{upload("restricted with access", "bound", "pw-bound", other, http.StatusCreated)})
}

// A job name or artifact path that would leave the data directory is
// refused and nothing is written anywhere.
func TestUploadTraversal(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	outside := filepath.Dir(env.Dir)
	before, _ := os.ReadDir(outside)
	var refused []scenario
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"dotdot job", apptest.Record(t, "..", "bin/x")},
		{"slash job", apptest.Record(t, "../evil", "bin/x")},
		{"underscore job", apptest.Record(t, "_artifacts", "bin/x")},
		{"empty job", apptest.Record(t, "", "bin/x")},
		{"dotdot path", apptest.Record(t, "ok", "bin/x", "../../etc/passwd")},
		{"absolute path", apptest.Record(t, "ok", "/etc/passwd")},
		{"empty segment", apptest.Record(t, "ok", "bin//x")},
		{"duplicate path", apptest.Record(t, "ok", "bin/x", "bin/x")},
		// The database's own files (item 1 of #11).
		{"database job", apptest.Record(t, "builder.sqlite3", "bin/x")},
		{"journal job", apptest.Record(t, "builder.sqlite3-journal", "bin/x")},
		{"wal job", apptest.Record(t, "builder.sqlite3-wal", "bin/x")},
		{"shm job", apptest.Record(t, "builder.sqlite3-shm", "bin/x")},
		{"database prefix job", apptest.Record(t, "builder.sqlite3.bak", "bin/x")},
		{"invalid UTF-8 job", apptest.Record(t, "caf\xe9", "bin/x")},
		{"truncated UTF-8 job", apptest.Record(t, "x\xe2\x82", "bin/x")},
		{"newline job", apptest.Record(t, "a\nb", "bin/x")},
		{"tab job", apptest.Record(t, "a\tb", "bin/x")},
		{"escape job", apptest.Record(t, "a\x1b[31m", "bin/x")},
		{"DEL job", apptest.Record(t, "a\x7f", "bin/x")},
		{"dot path", apptest.Record(t, "ok", "bin/x", ".")},
		{"trailing dot segment", apptest.Record(t, "ok", "bin/x", "a/.")},
		{"inner dot segment", apptest.Record(t, "ok", "bin/x", "a/./b")},
		{"leading dot segment", apptest.Record(t, "ok", "./bin/x")},
	} {
		refused = append(refused, scenario{name: tc.name, method: http.MethodPost, url: "/upload", body: tc.body,
			headers: []string{"Authorization", apptest.BasicAuth("up", "up-password")}, status: http.StatusBadRequest})
	}
	runScenarios(t, env, refused)
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
	if top, _ := os.ReadDir(env.Dir); len(top) != 0 {
		for _, e := range top {
			switch e.Name() {
			case "_artifacts", "_staging", "_keys", "builder.sqlite3", "builder.sqlite3-wal", "builder.sqlite3-shm":
			default:
				t.Errorf("data directory entry %q created by a refused upload", e.Name())
			}
		}
	}
	after, _ := os.ReadDir(outside)
	if len(after) != len(before) {
		t.Errorf("entries next to the data directory changed: %v -> %v", before, after)
	}
	env.AssertNoBuilds(t)
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "ok", "bin/x", "a/.b/c..")); r.Status != http.StatusCreated {
		t.Errorf("valid record: status %d (%s)", r.Status, r.Body)
	}
	// Names close to the reserved ones, and non-ASCII ones, stay valid.
	for _, job := range []string{"builder.sqlite", "my-builder.sqlite3", "café-ünïcode"} {
		if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, job)); r.Status != http.StatusCreated {
			t.Errorf("job %q: status %d (%s), want 201", job, r.Status, r.Body)
		}
	}
}

func TestUploadTooLarge(t *testing.T) {
	env := apptest.New(t, func(c *server.Config) { c.MaxUploadSize = 1000 })
	env.AddUser(t, "up", "up-password", false)
	r := env.Upload(t, "/upload", "up", "up-password", apptest.Vector(t, "success_hvt.full"))
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d (%s), want 413", r.Status, r.Body)
	}
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Vector(t, "minimal.full")); r.Status != http.StatusCreated {
		t.Errorf("small upload: status %d (%s), want 201", r.Status, r.Body)
	}
}

func TestArtifactETag(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Vector(t, "success_hvt.full")); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	const url = "/job/any-name/build/3F7C1A52-8E4B-4D2A-9B61-0C5E7D2F4A18/f/bin/hello.hvt"
	sum, _ := hex.DecodeString("715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e")
	etag := base64.StdEncoding.EncodeToString(sum)
	r := env.Get(t, url)
	if r.Status != 200 || r.Header.Get("ETag") != `"`+etag+`"` || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("GET: status %d ETag %q type %q", r.Status, r.Header.Get("ETag"), r.Header.Get("Content-Type"))
	}
	for _, inm := range []string{etag, `"` + etag + `"`, `"x", "` + etag + `"`, "*"} {
		if r := env.Get(t, url, "If-None-Match", inm); r.Status != http.StatusNotModified || len(r.Body) != 0 {
			t.Errorf("If-None-Match %s: status %d, %d bytes; want 304, empty", inm, r.Status, len(r.Body))
		}
	}
	if r := env.Get(t, url, "If-None-Match", `"other"`); r.Status != 200 {
		t.Errorf("non-matching If-None-Match: status %d", r.Status)
	}
	for target, want := range map[string]int{
		"/job/x/build/not-a-uuid/f/bin/hello.hvt":                  400,
		"/job/x/build/3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18/f/nope": 404,
		"/job/x/build/00000000-0000-4000-8000-000000000000":        404,
		"/job/x/build/00000000-0000-4000-8000-000000000000/f/a":    404,
	} {
		if r := env.Get(t, target); r.Status != want {
			t.Errorf("GET %s: status %d, want %d", target, r.Status, want)
		}
	}
	r = env.Get(t, "/job/x/build/not-a-uuid", "Accept", "application/json")
	if r.Status != 400 || !strings.HasPrefix(string(r.Body), `{"error":`) {
		t.Errorf("JSON error: status %d body %s", r.Status, r.Body)
	}
}

func TestUploadBinary(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	r := env.Upload(t, "/job/manual/platform/debian-12/upload?binary_name=tool", "up", "up-password", []byte("#!/bin/sh\necho hi\n"))
	if r.Status != http.StatusCreated {
		t.Fatalf("status %d (%s), want 201", r.Status, r.Body)
	}
	for _, bad := range []string{"../x", "a/b", ".."} {
		r := env.Upload(t, "/job/manual/platform/debian-12/upload?binary_name="+bad, "up", "up-password", []byte("x"))
		if r.Status != http.StatusBadRequest {
			t.Errorf("binary_name %q: status %d, want 400", bad, r.Status)
		}
	}
}
