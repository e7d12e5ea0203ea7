package handlers_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// The uploader every test uses.
const (
	testUser = "builder"
	testPW   = "builder-pw"
)

// Shared vectors (../shared/testdata): success_hvt and compare_left come
// from the same input and produced the same main binary; compare_right has
// another input and another binary, and started last.
const (
	uuidSuccess = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18"
	uuidLeft    = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
	uuidRight   = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
	uuidKilled  = "c41e2b7a-6f09-4b8d-8e25-19a3d70c5f62"
)

// vectorSidecar is the part of a vector's JSON (its sidecar) these tests
// compare with.
type vectorSidecar struct {
	DecodeOK bool   `json:"decode_ok"`
	UUID     string `json:"uuid"`
	Job      struct {
		Name         string `json:"name"`
		Platform     string `json:"platform"`
		Script       string `json:"script"`
		ScriptSHA256 string `json:"script_sha256"`
	} `json:"job"`
	Start struct {
		UnixMS int64 `json:"unix_ms"`
	} `json:"start"`
	Finish struct {
		UnixMS int64 `json:"unix_ms"`
	} `json:"finish"`
	Derived struct {
		Stored []struct {
			Path   string `json:"path"`
			Size   int64  `json:"size"`
			SHA256 string `json:"sha256"`
		} `json:"stored_artifacts"`
		MainBinary *string `json:"main_binary"`
		InputID    *string `json:"input_id_sha256"`
		ConsoleTxt struct {
			SHA256 string `json:"sha256"`
			Text   string `json:"text"`
		} `json:"console_txt"`
	} `json:"builder_web_derived"`
	Files []struct {
		Path string `json:"path"`
	} `json:"files"`
}

func sidecarOf(t *testing.T, name string) vectorSidecar {
	t.Helper()
	b, err := os.ReadFile(testenv.Vector(t, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s vectorSidecar
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return s
}

// newEnv starts a server with one unrestricted uploader.
func newEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.New(t)
	env.AddUser(t, testUser, testPW, false)
	return env
}

// upload posts a record and requires 201.
func upload(t *testing.T, env *apptest.Env, body []byte) {
	t.Helper()
	if r := env.Upload(t, "/upload", testUser, testPW, body); r.Status != http.StatusCreated {
		t.Fatalf("upload: status %d (%s), want 201", r.Status, r.Body)
	}
}

func uploadVectors(t *testing.T, env *apptest.Env, names ...string) {
	t.Helper()
	for _, n := range names {
		upload(t, env, apptest.Vector(t, n+".full"))
	}
}

// rec describes a record built with builder.Encode.
type rec struct {
	job, platform, uuid string
	start               time.Time
	took                time.Duration
	result              builder.Result
	files               []builder.File
	console             []string // oldest first
}

// inputFiles are the three files that make a build's input id.
func inputFiles(input string) []builder.File {
	return []builder.File{
		{Path: "opam-switch", Data: []byte("opam-version: \"2.0\"\n# input " + input + "\n")},
		{Path: "build-environment", Data: []byte("HOME=/tmp\nINPUT=" + input)},
		{Path: "system-packages", Data: []byte("libc6=2.36-9\ninput=" + input + "\n")},
	}
}

// binary is a main binary whose content is named by output.
func binary(path, output string) builder.File {
	return builder.File{Path: path, Data: []byte("\x7fELF binary " + output)}
}

func (r rec) encode(t testing.TB) []byte {
	t.Helper()
	id, err := builder.ParseUUID(r.uuid)
	if err != nil {
		t.Fatal(err)
	}
	if r.platform == "" {
		r.platform = "debian-12"
	}
	if r.took == 0 {
		r.took = 3*time.Minute + 4*time.Second
	}
	e := &builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: r.job, Script: "#!/bin/sh\necho " + r.job + "\n", Platform: r.platform},
		UUID:   id,
		Start:  r.start.UTC(),
		Finish: r.start.Add(r.took).UTC(),
		Result: r.result,
	}, Files: r.files}
	for i, line := range r.console {
		// Newest first, as builder writes it.
		e.Console = append([]builder.ConsoleLine{{Delta: int64(i) * int64(time.Second), Data: line}}, e.Console...)
	}
	b, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testUUID is a valid version-4 UUID numbered n.
func testUUID(n int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func buildURL(job, uuid string) string { return "/job/" + job + "/build/" + uuid }

func get(t *testing.T, env *apptest.Env, url string, headers ...string) apptest.Response {
	t.Helper()
	return env.Get(t, url, headers...)
}

func head(t *testing.T, env *apptest.Env, url string, headers ...string) apptest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodHead, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return env.Do(t, req)
}

// page GETs an HTML page and requires 200.
func page(t *testing.T, env *apptest.Env, url string) string {
	t.Helper()
	r := get(t, env, url)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", url, r.Status, r.Body)
	}
	return string(r.Body)
}

// section returns the HTML from the heading containing title to the next
// h3 (or the end of the build's main column).
func section(html, title string) string {
	i := strings.Index(html, title)
	if i < 0 {
		return ""
	}
	rest := html[i+len(title):]
	end := len(rest)
	for _, stop := range []string{"<h3", "</div>\n\n<aside"} {
		if j := strings.Index(rest, stop); j >= 0 && j < end {
			end = j
		}
	}
	return rest[:end]
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// text strips tags and collapses white space, to match what a user reads.
func text(html string) string {
	return strings.Join(strings.Fields(tagRE.ReplaceAllString(html, " ")), " ")
}

func assertContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q; got:\n%s", what, w, got)
		}
	}
}

func assertLacks(t *testing.T, what, got string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(got, w) {
			t.Errorf("%s contains %q; got:\n%s", what, w, got)
		}
	}
}

// The build page of a vector shows what reference §6.5 lists: heading,
// platform/duration/result table, info links, artifacts with full hashes
// and sizes, breadcrumbs, visualizations and the lazy console.
func TestBuildPageContent(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt", "signalled_sigkill")
	sc := sidecarOf(t, "success_hvt")
	url := buildURL("hello-hvt", uuidSuccess)
	html := page(t, env, url)

	assertContains(t, "build page", html,
		"<title>Job hello-hvt 2024-09-04 13:20:11Z</title>",
		`<a href="/job/hello-hvt?platform=debian-12">on debian-12</a>`,
		`<a href="`+url+`" aria-current="page">Build 2024-09-04 13:20:11Z</a>`,
		`<h2 id="build">Build <time`,
		"<th>Platform</th><th>Duration</th><th>Execution Result</th>",
		"4min13s</span>", // 13:20:11.532 → 13:24:24.437
		"exited 0",
		`href="`+url+`/console">Console output <span aria-hidden="true">&rarr;</span></a>`,
		`href="`+url+`/script">Build script <span aria-hidden="true">&rarr;</span></a>`,
		`href="`+url+`/all.tar.gz"`,
		`href="`+url+`/exec"`,
		`<code>bin/hello.hvt (16.4kB)</code></a> <mark class="main-binary">main binary</mark>`,
		`<code>opam-switch (7.46kB)</code>`,
		`<code>build-environment (341B)</code>`,
		`<code>system-packages (1.2kB)</code>`,
		`<a href="`+url+`/vizdependencies" class="viz-preview"><img src="`+url+`/vizdependencies/preview.svg"`,
		`hx-get="`+url+`/console/view" hx-trigger="revealed"`,
	)
	for _, a := range sc.Derived.Stored {
		assertContains(t, "artifact "+a.Path, html,
			`<a href="`+url+`/f/`+a.Path+`"><code>`+a.Path,
			`<code class="hash">`+a.SHA256+`</code>`,
			`data-copy="`+a.SHA256+`"`)
	}
	// The tooltip explains the graph.
	if !regexp.MustCompile(`<summary title="The dependency graph of the opam packages[^"]+"`).MatchString(html) {
		t.Errorf("no explanation of the dependency graph in:\n%s", html)
	}
	// No debug binary, no treemap; build-hashes are not stored.
	assertLacks(t, "build page", html, "viztreemap", "build-hashes")

	// A killed build: OCaml's signal number with its name, no artifacts,
	// no reproducibility section.
	killed := page(t, env, buildURL("opam-graph", uuidKilled))
	assertContains(t, "killed build", killed, "signalled SIGKILL (-7)", "1h</span>", "No artifacts", "on ubuntu-20.04")
	assertLacks(t, "killed build", killed, "Reproduced by", "all.tar.gz")
}

// A build found under another job name in the URL still links with its
// real job; a malformed UUID is 400, an unknown one 404.
func TestBuildPageLookup(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	html := page(t, env, buildURL("other-name", uuidSuccess))
	assertContains(t, "page under another job name", html, `href="/job/hello-hvt/build/`+uuidSuccess+`/console"`)
	if r := get(t, env, buildURL("hello-hvt", strings.ToUpper(uuidSuccess))); r.Status != http.StatusOK {
		t.Errorf("upper-case UUID: status %d, want 200", r.Status)
	}
	if r := get(t, env, buildURL("hello-hvt", "not-a-uuid")); r.Status != http.StatusBadRequest {
		t.Errorf("bad UUID: status %d, want 400", r.Status)
	}
	r := get(t, env, buildURL("hello-hvt", testUUID(999)))
	if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "This page does not exist") {
		t.Errorf("unknown UUID: status %d, want the 404 page\n%s", r.Status, r.Body)
	}
}

// Vectors: success_hvt and compare_left reproduce each other (same input,
// same binary); compare_right differs in both and is the newest.
func TestBuildPageTreemap(t *testing.T) {
	env := newEnv(t)
	elfBin := gccELF(t)
	with := rec{job: "viz", uuid: testUUID(1), start: t0, files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "viz.hvt.debug", Data: elfBin})}
	other := rec{job: "viz", uuid: testUUID(2), start: t0.Add(time.Hour), files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "other.debug", Data: elfBin})}
	noSymbols := rec{job: "viz", uuid: testUUID(3), start: t0.Add(2 * time.Hour), files: append(inputFiles("A"),
		binary("bin/viz.hvt", "X"), builder.File{Path: "viz.hvt.debug", Data: []byte("debug info")})}
	upload(t, env, with.encode(t))
	upload(t, env, other.encode(t))
	upload(t, env, noSymbols.encode(t))
	// A failed build with the shared vector's drawable opam-switch.
	failed := rec{job: "viz", uuid: testUUID(4), start: t0.Add(3 * time.Hour), result: builder.Result{Kind: builder.Exited, Code: 1},
		files: append(vectorFiles(t, "success_hvt.full", "opam-switch"), builder.File{Path: "viz.hvt.debug", Data: elfBin})}
	upload(t, env, failed.encode(t))
	assertContains(t, "page with debug binary", page(t, env, buildURL("viz", testUUID(1))),
		`<a href="/job/viz/build/`+testUUID(1)+`/viztreemap" class="viz-preview"><img src="/job/viz/build/`+testUUID(1)+`/viztreemap/preview.svg"`,
		`<a href="/job/viz/build/`+testUUID(1)+`/viztreemap">Binary dissection</a>`,
		`<summary title="A treemap of the space`)
	// inputFiles' opam-switch has no root: no graph.
	assertLacks(t, "page with debug binary", page(t, env, buildURL("viz", testUUID(1))), "vizdependencies")
	for _, u := range []string{buildURL("viz", testUUID(2)), buildURL("viz", testUUID(3)), buildURL("viz", testUUID(4))} {
		assertLacks(t, u, page(t, env, u), "viztreemap", "vizdependencies", `class="build-viz"`)
	}
}

// vectorFiles returns the named files of a shared vector's record.
func vectorFiles(t *testing.T, vector string, paths ...string) []builder.File {
	t.Helper()
	exec, err := builder.Decode(apptest.Vector(t, vector))
	if err != nil {
		t.Fatal(err)
	}
	var out []builder.File
	for _, f := range exec.Files {
		if slices.Contains(paths, f.Path) {
			out = append(out, f)
		}
	}
	if len(out) != len(paths) {
		t.Fatalf("%s: found %d of %v", vector, len(out), paths)
	}
	return out
}

// The build JSON keeps the reference's fields and adds "result", the
// artifacts with their hashes and the main binary's path and hash (the
// stored artifacts the shared vector derives).
func TestBuildJSON(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt", "signalled_sigkill")
	tests := []struct {
		job, uuid string
		want      map[string]any
	}{
		{"hello-hvt", uuidSuccess, map[string]any{
			"job": "hello-hvt", "uuid": uuidSuccess, "platform": "debian-12",
			"start_time": "2024-09-04T13:20:11-00:00", "finish_time": "2024-09-04T13:24:24-00:00",
			"main_binary": true, "result": map[string]any{"kind": "exited", "code": 0.0},
			"main_binary_path":   "bin/hello.hvt",
			"main_binary_sha256": "715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e",
			"artifacts": []any{
				map[string]any{"path": "bin/hello.hvt", "size": 16384.0, "sha256": "715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e"},
				map[string]any{"path": "opam-switch", "size": 7458.0, "sha256": "48d48131d45621c6cb35aeacce3e61461f4217dc4b2db4bddfedd13101cdf9de"},
				map[string]any{"path": "build-environment", "size": 341.0, "sha256": "9883fcb38811acb909a1f492dabdfa59331eacf8986ec93821f7e6aef9b02d4d"},
				map[string]any{"path": "system-packages", "size": 1192.0, "sha256": "2a8e7810bc5c999f0b3650163d5f64ea9195780867a855947a11151519eaf462"},
			},
			"reproducibility": map[string]any{"verdict": "unverified", "uploader": "builder", "independent": false,
				"reproduced_by": []any{}, "differs_from": []any{}, "same_output_other_input": []any{}},
		}},
		{"opam-graph", uuidKilled, map[string]any{
			"job": "opam-graph", "uuid": uuidKilled, "platform": "ubuntu-20.04",
			"start_time": "2024-09-04T15:20:11-00:00", "finish_time": "2024-09-04T16:20:11-00:00",
			"main_binary": false, "result": map[string]any{"kind": "signalled", "code": -7.0},
			"artifacts": []any{},
		}},
	}
	for _, tt := range tests {
		r := get(t, env, buildURL(tt.job, tt.uuid), "Accept", "application/json")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s JSON: status %d, type %q", tt.uuid, r.Status, r.Header.Get("Content-Type"))
		}
		var got map[string]any
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("%s JSON %s: %v", tt.uuid, r.Body, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s JSON = %v, want %v", tt.uuid, got, tt.want)
		}
	}
}

// Every build route answers HEAD like GET without a body.
func TestBuildRoutesHead(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	sc := sidecarOf(t, "success_hvt")
	var opamSwitch string
	for _, a := range sc.Derived.Stored {
		if a.Path == "opam-switch" {
			opamSwitch = a.SHA256
		}
	}
	placeViz(t, env, "dependencies_1", opamSwitch, "<p>graph</p>")
	base := buildURL("hello-hvt", uuidSuccess)
	tests := []struct {
		suffix string
		status int
		ctype  string
	}{
		{"", http.StatusOK, "text/html; charset=utf-8"},
		{"/script", http.StatusOK, "text/plain; charset=utf-8"},
		{"/console", http.StatusOK, "text/plain; charset=utf-8"},
		{"/console/view", http.StatusOK, "text/html; charset=utf-8"},
		{"/main-binary", http.StatusFound, ""},
		{"/exec", http.StatusOK, "application/octet-stream"},
		{"/all.tar.gz", http.StatusOK, "application/tar+gzip"},
		{"/vizdependencies", http.StatusOK, "text/html; charset=utf-8"},
		{"/viztreemap", http.StatusNotFound, "text/html; charset=utf-8"},
		{"/f/bin/hello.hvt", http.StatusOK, "application/octet-stream"},
	}
	for _, tt := range tests {
		r := head(t, env, base+tt.suffix)
		if r.Status != tt.status || len(r.Body) != 0 {
			t.Errorf("HEAD %s: status %d with %d body bytes, want %d and none", tt.suffix, r.Status, len(r.Body), tt.status)
		}
		if tt.ctype != "" && r.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("HEAD %s: Content-Type %q, want %q", tt.suffix, r.Header.Get("Content-Type"), tt.ctype)
		}
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s)
}
