package handlers_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/export"
)

// all.tar.gz holds every artifact in database order, 0755 under bin/,
// 0644 elsewhere, every time the build's finish, after a pax global
// header naming builder-web.
func TestTarball(t *testing.T) {
	// large_artifact has a 1 MiB artifact: the archive is streamed.
	for _, vector := range []string{"success_hvt", "large_artifact"} {
		t.Run(vector, func(t *testing.T) { testTarball(t, vector) })
	}
}

func testTarball(t *testing.T, vector string) {
	env := newEnv(t)
	uploadVectors(t, env, vector)
	sc := sidecarOf(t, vector)
	finish := time.UnixMilli(sc.Finish.UnixMS).UTC().Truncate(time.Second)

	r := get(t, env, buildURL(sc.Job.Name, sc.UUID)+"/all.tar.gz")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/tar+gzip" {
		t.Fatalf("GET all.tar.gz: status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	gz, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !gz.ModTime.Equal(finish) {
		t.Errorf("gzip mtime %v, want %v", gz.ModTime, finish)
	}
	// Level 9: the XFL byte says "maximum compression".
	if r.Body[8] != 2 {
		t.Errorf("gzip XFL = %d, want 2 (best compression)", r.Body[8])
	}

	// Database order is the build page's order.
	b, err := env.App.DB.BuildByUUID(t.Context(), sc.UUID)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := env.App.DB.Artifacts(t.Context(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range sc.Derived.Stored {
		want[a.Path] = a.SHA256
	}

	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Typeflag != tar.TypeXGlobalHeader || hdr.PAXRecords["comment"] != "Tar file produced by builder-web."+export.Version {
		t.Errorf("first entry: type %c, records %v; want a pax global header with the comment", hdr.Typeflag, hdr.PAXRecords)
	}
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			if i != len(arts) {
				t.Errorf("%d entries, want %d", i, len(arts))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(arts) {
			t.Fatalf("extra entry %s", hdr.Name)
		}
		mode := int64(0o644)
		if hdr.Name[:4] == "bin/" {
			mode = 0o755
		}
		if hdr.Name != arts[i].Filepath || hdr.Mode != mode || !hdr.ModTime.Equal(finish) || hdr.Typeflag != tar.TypeReg {
			t.Errorf("entry %d: %s mode %o mtime %v type %c; want %s mode %o mtime %v regular",
				i, hdr.Name, hdr.Mode, hdr.ModTime, hdr.Typeflag, arts[i].Filepath, mode, finish)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if sha256Hex(data) != want[hdr.Name] {
			t.Errorf("entry %s: content sha256 %s, want %s", hdr.Name, sha256Hex(data), want[hdr.Name])
		}
	}
	if len(arts) != len(want) {
		t.Errorf("%d artifacts stored, want %d", len(arts), len(want))
	}

	// The same build always gives the same bytes.
	if again := get(t, env, buildURL(sc.Job.Name, sc.UUID)+"/all.tar.gz"); !bytes.Equal(again.Body, r.Body) {
		t.Error("a second download differs")
	}
}

// Long and non-ASCII paths survive (the tar writer switches to pax).
func TestTarballLongPaths(t *testing.T) {
	env := newEnv(t)
	long := "share/" + string(bytes.Repeat([]byte("d/"), 80)) + "überblick.txt"
	r := rec{job: "paths", uuid: testUUID(1), start: t0, files: []builder.File{
		binary("bin/x", "X"), {Path: long, Data: []byte("deep")}}}
	upload(t, env, r.encode(t))
	resp := get(t, env, buildURL("paths", testUUID(1))+"/all.tar.gz")
	gz, err := gzip.NewReader(bytes.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			names = append(names, hdr.Name)
		}
	}
	if len(names) != 2 || names[1] != long && names[0] != long {
		t.Errorf("entries %q, want bin/x and %q", names, long)
	}
}
