package handlers_test

import (
	"net/http"
	"testing"
)

// main-binary redirects (302) to the download under the build's real job
// name; a build without main binary is 404.
func TestMainBinary(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt", "signalled_sigkill")
	r := get(t, env, buildURL("any-name", uuidSuccess)+"/main-binary")
	want := buildURL("hello-hvt", uuidSuccess) + "/f/bin/hello.hvt"
	if r.Status != http.StatusFound || r.Header.Get("Location") != want {
		t.Errorf("main-binary: status %d, Location %q; want 302 to %q", r.Status, r.Header.Get("Location"), want)
	}
	if r := get(t, env, want); r.Status != http.StatusOK || len(r.Body) != 16384 {
		t.Errorf("redirect target: status %d, %d bytes", r.Status, len(r.Body))
	}
	r = get(t, env, buildURL("opam-graph", uuidKilled)+"/main-binary")
	if r.Status != http.StatusNotFound {
		t.Errorf("main-binary of a failed build: status %d, want 404", r.Status)
	}
	r = get(t, env, buildURL("opam-graph", uuidKilled)+"/main-binary", "Accept", "application/json")
	if r.Status != http.StatusNotFound || string(r.Body) != `{"error":"Build has no main binary"}` {
		t.Errorf("JSON 404: status %d, body %s", r.Status, r.Body)
	}
}

// Paths with characters that need escaping stay one link.
func TestMainBinaryEscaped(t *testing.T) {
	env := newEnv(t)
	r := rec{job: "esc", uuid: testUUID(1), start: t0, files: append(inputFiles("A"), binary("bin/a b#c.hvt", "X"))}
	upload(t, env, r.encode(t))
	resp := get(t, env, buildURL("esc", testUUID(1))+"/main-binary")
	want := buildURL("esc", testUUID(1)) + "/f/bin/a%20b%23c.hvt"
	if resp.Status != http.StatusFound || resp.Header.Get("Location") != want {
		t.Fatalf("main-binary: status %d, Location %q; want 302 to %q", resp.Status, resp.Header.Get("Location"), want)
	}
	if resp := get(t, env, want); resp.Status != http.StatusOK {
		t.Errorf("redirect target: status %d", resp.Status)
	}
}
