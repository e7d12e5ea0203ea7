package handlers_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// The main binary is the only artifact under bin/ (reference §4.3: a
// segment prefix, so bin/sub/x counts and binx/x does not); with none or
// several there is none, and the build page and /main-binary say so.
func TestUploadMainBinary(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	for _, tc := range []struct {
		paths []string
		want  string // main binary path, "" for none
	}{
		{[]string{"bin/a"}, "bin/a"},
		{[]string{"README", "bin/a", "opam-switch"}, "bin/a"},
		{[]string{"bin/sub/a"}, "bin/sub/a"},
		{[]string{"bin/a", "binx/b", "sbin/c", "x/bin/d"}, "bin/a"},
		{[]string{"binx/b", "bin/a"}, "bin/a"},
		{[]string{"bin/a", "bin/b"}, ""},
		{[]string{"bin/a", "bin/sub/b"}, ""},
		{[]string{"x", "bin/a", "y", "bin/b", "z"}, ""},
		{[]string{"binx/a"}, ""},
		{[]string{"bin"}, ""},
		{[]string{"x/bin/a"}, ""},
		{nil, ""},
	} {
		name := strings.Join(tc.paths, ",")
		job := "mb-" + strings.NewReplacer("/", "_", ",", "+").Replace(name)
		if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, job, tc.paths...)); r.Status != http.StatusCreated {
			t.Fatalf("%s: upload: status %d (%s)", name, r.Status, r.Body)
		}
		uuid := onlyBuild(t, env, job)
		base := "/job/" + job + "/build/" + uuid
		r := env.Get(t, base, "Accept", "application/json")
		var b struct {
			MainBinary bool `json:"main_binary"`
		}
		if err := json.Unmarshal(r.Body, &b); err != nil || r.Status != http.StatusOK {
			t.Fatalf("%s: build JSON: status %d, %v", name, r.Status, err)
		}
		if b.MainBinary != (tc.want != "") {
			t.Errorf("%s: main_binary %v, want %v", name, b.MainBinary, tc.want != "")
		}
		r = env.Get(t, base+"/main-binary")
		switch {
		case tc.want == "" && r.Status != http.StatusNotFound:
			t.Errorf("%s: /main-binary: status %d, want 404", name, r.Status)
		case tc.want != "" && (r.Status != http.StatusFound || r.Header.Get("Location") != base+"/f/"+tc.want):
			t.Errorf("%s: /main-binary: status %d Location %q, want 302 to %s", name, r.Status, r.Header.Get("Location"), base+"/f/"+tc.want)
		}
	}
}

// onlyBuild returns the UUID of the one build of job.
func onlyBuild(t *testing.T, env *apptest.Env, job string) string {
	t.Helper()
	var uuid string
	err := dbtest.Reader(t, env.App.DB).NewRaw("SELECT b.uuid FROM build b JOIN job j ON j.id = b.job WHERE j.name = ?", job).
		Scan(context.Background(), &uuid)
	if err != nil {
		t.Fatalf("build of %s: %v", job, err)
	}
	return uuid
}

// storedInputID reads the input id the database holds for a build: the
// reference's column that builder-db verify-input-id and the
// reproducibility lists work from.
func storedInputID(t *testing.T, env *apptest.Env, uuid string) []byte {
	t.Helper()
	var id []byte
	if err := dbtest.Reader(t, env.App.DB).NewRaw("SELECT input_id FROM build WHERE uuid = ?", uuid).
		Scan(context.Background(), &id); err != nil {
		t.Fatalf("input id of %s: %v", uuid, err)
	}
	return id
}

// The input id is SHA-256 over the digests of opam-switch,
// build-environment and system-packages (reference §1): every shared
// vector's stored id equals its sidecar's input_id_sha256 (none when the
// sidecar has none), a change to any of the three files changes it, and a
// change to anything else does not.
func TestUploadInputID(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	names, err := filepath.Glob(filepath.Join(testenv.SharedTestdata(t), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	withID := 0
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			DecodeOK bool   `json:"decode_ok"`
			UUID     string `json:"uuid"`
			Derived  struct {
				InputID *string `json:"input_id_sha256"`
			} `json:"builder_web_derived"`
		}
		if err := json.Unmarshal(raw, &sc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if !sc.DecodeOK {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(n), ".json")
		r := env.Upload(t, "/upload", "up", "up-password", apptest.Vector(t, name+".full"))
		if r.Status == http.StatusConflict {
			continue // a vector sharing another's UUID
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("%s: upload: status %d (%s)", name, r.Status, r.Body)
		}
		got := storedInputID(t, env, sc.UUID)
		switch {
		case sc.Derived.InputID == nil && got != nil:
			t.Errorf("%s: input id %x, want none", name, got)
		case sc.Derived.InputID != nil && hex.EncodeToString(got) != *sc.Derived.InputID:
			t.Errorf("%s: input id %x, want %s", name, got, *sc.Derived.InputID)
		}
		if sc.Derived.InputID != nil {
			withID++
		}
	}
	if withID < 2 {
		t.Fatalf("only %d vectors with an input id; the shared vectors changed", withID)
	}

	// Variations of success_hvt under new UUIDs.
	base, err := builder.Decode(apptest.Vector(t, "success_hvt.full"))
	if err != nil {
		t.Fatal(err)
	}
	orig := storedInputID(t, env, builder.UUIDString(base.UUID))
	for i, tc := range []struct {
		change  string
		changes bool
	}{
		{"opam-switch", true},
		{"build-environment", true},
		{"system-packages", true},
		{"bin/hello.hvt", false},
	} {
		e, err := builder.Decode(apptest.Vector(t, "success_hvt.full"))
		if err != nil {
			t.Fatal(err)
		}
		e.UUID[15] ^= byte(i + 1)
		found := false
		for j := range e.Files {
			if e.Files[j].Path == tc.change {
				e.Files[j].Data = append(bytes.Clone(e.Files[j].Data), '\n')
				found = true
			}
		}
		if !found {
			t.Fatalf("success_hvt has no %s", tc.change)
		}
		rec, err := builder.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if r := env.Upload(t, "/upload", "up", "up-password", rec); r.Status != http.StatusCreated {
			t.Fatalf("%s changed: upload: status %d (%s)", tc.change, r.Status, r.Body)
		}
		got := storedInputID(t, env, builder.UUIDString(e.UUID))
		if len(got) != 32 || bytes.Equal(got, orig) != !tc.changes {
			t.Errorf("%s changed: input id %x, original %x; want it changed: %v", tc.change, got, orig, tc.changes)
		}
	}
}
