package handlers_test

import (
	"net/http"
	"testing"
)

// /script and /console serve the stored text with a quoted hex SHA-256
// ETag and answer 304 to a matching If-None-Match (quoted, bare, in a
// list, or *).
func TestScriptAndConsoleText(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	sc := sidecarOf(t, "success_hvt")
	base := buildURL("hello-hvt", uuidSuccess)
	tests := []struct {
		suffix, body, sha string
	}{
		{"/script", sc.Job.Script, sc.Job.ScriptSHA256},
		{"/console", sc.Derived.ConsoleTxt.Text, sc.Derived.ConsoleTxt.SHA256},
	}
	for _, tt := range tests {
		t.Run(tt.suffix, func(t *testing.T) {
			if tt.body == "" || sha256Hex([]byte(tt.body)) != tt.sha {
				t.Fatalf("sidecar: body and hash of %s disagree", tt.suffix)
			}
			r := get(t, env, base+tt.suffix)
			if r.Status != http.StatusOK || string(r.Body) != tt.body {
				t.Fatalf("GET %s: status %d, body\n%q\nwant 200 and\n%q", tt.suffix, r.Status, r.Body, tt.body)
			}
			if got := r.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got, want := r.Header.Get("ETag"), `"`+tt.sha+`"`; got != want {
				t.Errorf("ETag %q, want %q", got, want)
			}
			for _, inm := range []string{`"` + tt.sha + `"`, tt.sha, `"x", "` + tt.sha + `"`, "*"} {
				r := get(t, env, base+tt.suffix, "If-None-Match", inm)
				if r.Status != http.StatusNotModified || len(r.Body) != 0 {
					t.Errorf("If-None-Match %s: status %d with %d bytes, want 304 and none", inm, r.Status, len(r.Body))
				}
			}
			if r := get(t, env, base+tt.suffix, "If-None-Match", `"other"`); r.Status != http.StatusOK {
				t.Errorf("stale If-None-Match: status %d, want 200", r.Status)
			}
			if r := get(t, env, buildURL("hello-hvt", testUUID(404))+tt.suffix); r.Status != http.StatusNotFound {
				t.Errorf("unknown build: status %d, want 404", r.Status)
			}
		})
	}
}
