package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// /exec re-encodes the build: the same job, UUID, times, result, console
// text and stored files, which another builder-web accepts as an upload.
func TestExecVector(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	orig, err := builder.Decode(apptest.Vector(t, "success_hvt.full"))
	if err != nil {
		t.Fatal(err)
	}
	url := buildURL("hello-hvt", uuidSuccess) + "/exec"
	r := get(t, env, url)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("GET exec: status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	got, err := builder.Decode(r.Body)
	if err != nil {
		t.Fatalf("decode exec: %v", err)
	}
	if got.Job != orig.Job || got.UUID != orig.UUID || !got.Start.Equal(orig.Start) ||
		!got.Finish.Equal(orig.Finish) || got.Result != orig.Result {
		t.Errorf("exec header = %+v %x %v %v %v, want %+v %x %v %v %v",
			got.Job, got.UUID, got.Start, got.Finish, got.Result, orig.Job, orig.UUID, orig.Start, orig.Finish, orig.Result)
	}
	// The console keeps its lines; times are milliseconds now.
	if len(got.Console) != len(orig.Console) {
		t.Fatalf("console has %d lines, want %d", len(got.Console), len(orig.Console))
	}
	for i := range got.Console {
		if got.Console[i].Data != orig.Console[i].Data || got.Console[i].Delta/1e6 != orig.Console[i].Delta/1e6 {
			t.Errorf("console line %d = %+v, want %+v", i, got.Console[i], orig.Console[i])
		}
	}
	// Stored files only: no README (the job has none), no build-hashes.
	want := map[string]string{}
	for _, a := range sidecarOf(t, "success_hvt").Derived.Stored {
		want[a.Path] = a.SHA256
	}
	have := map[string]string{}
	for _, f := range got.Files {
		have[f.Path] = sha256Hex(f.Data)
	}
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Errorf("exec files = %v, want %v", have, want)
	}

	// Copying the build to another server works.
	other := newEnv(t)
	upload(t, other, r.Body)
	if r := get(t, other, buildURL("hello-hvt", uuidSuccess)+"/console"); r.Status != http.StatusOK ||
		sha256Hex(r.Body) != sidecarOf(t, "success_hvt").Derived.ConsoleTxt.SHA256 {
		t.Errorf("console after copying: status %d\n%s", r.Status, r.Body)
	}
}

// The job's README goes first into the record.
func TestExecReadme(t *testing.T) {
	env := newEnv(t)
	readme := []byte("# Hello\n\nA unikernel.\n")
	r := rec{job: "readme", uuid: testUUID(1), start: t0, files: append([]builder.File{
		{Path: "README.md", Data: readme}, binary("bin/readme.hvt", "X")}, inputFiles("A")...)}
	upload(t, env, r.encode(t))
	resp := get(t, env, buildURL("readme", testUUID(1))+"/exec")
	got, err := builder.Decode(resp.Body)
	if resp.Status != http.StatusOK || err != nil {
		t.Fatalf("exec: status %d, decode: %v", resp.Status, err)
	}
	if len(got.Files) != 5 || got.Files[0].Path != "README.md" || !bytes.Equal(got.Files[0].Data, readme) {
		paths := []string{}
		for _, f := range got.Files {
			paths = append(paths, f.Path)
		}
		t.Fatalf("exec files %v, want README.md first with the readme", paths)
	}
	if got.Result.Kind != builder.Exited || got.Result.Code != 0 {
		t.Errorf("result %v", got.Result)
	}
}

// An artifact missing from the store is a 500 before anything is sent,
// not a truncated record.
func TestExecMissingArtifact(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	for _, a := range sidecarOf(t, "success_hvt").Derived.Stored {
		if a.Path == "opam-switch" {
			if err := os.Remove(env.Dir + "/_artifacts/" + a.SHA256[:2] + "/" + a.SHA256); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, suffix := range []string{"/exec", "/all.tar.gz"} {
		if r := get(t, env, buildURL("hello-hvt", uuidSuccess)+suffix); r.Status != http.StatusInternalServerError {
			t.Errorf("%s with a missing artifact: status %d, want 500", suffix, r.Status)
		}
	}
}
