package mirror_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/mirror"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

func testUUID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// record encodes a successful build of job with one main binary.
func record(t testing.TB, job string, n int, bin []byte) []byte {
	t.Helper()
	u, err := builder.ParseUUID(testUUID(n))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(time.Duration(n) * time.Minute)
	e := &builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: job, Script: "echo\n", Platform: "debian-12"},
		UUID:   u,
		Start:  start,
		Finish: start.Add(time.Minute),
		Result: builder.Result{Kind: builder.Exited},
	}, Files: []builder.File{
		{Path: "bin/" + job + ".hvt", Data: bin},
		{Path: "opam-switch", Data: []byte("opam-version: \"2.0\"\n")},
	}}
	rec, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// source starts a real server with builds #1 and #2 of job "ok".
func source(t testing.TB) (*apptest.Env, string) {
	t.Helper()
	env := apptest.New(t)
	env.AddUser(t, "builder", "builder-pw", false)
	for n, bin := range map[int]string{1: "A", 2: "B"} {
		if r := env.Upload(t, "/upload", "builder", "builder-pw", record(t, "ok", n, []byte(bin))); r.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
	}
	return env, env.Serve(t)
}

// hostile is a source that answers some requests itself and passes the
// others on to a real server; it remembers every path asked for.
type hostile struct {
	real   string
	tamper func(w http.ResponseWriter, r *http.Request) bool
	mu     sync.Mutex
	paths  []string
}

func (h *hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.paths = append(h.paths, r.URL.EscapedPath())
	h.mu.Unlock()
	if h.tamper != nil && h.tamper(w, r) {
		return
	}
	status, body := h.get(r.URL.RequestURI(), r.Header.Get("Accept"))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// get fetches a path from the real server.
func (h *hostile) get(uri, accept string) (int, []byte) {
	req, _ := http.NewRequest(http.MethodGet, h.real+uri, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return http.StatusBadGateway, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// A source is trusted no more than an uploader: whatever it gets wrong
// refuses that build (or job) with a reason, stores nothing of it, and the
// pull goes on.
func TestPullHostileSource(t *testing.T) {
	_, realURL := source(t)
	buildPath := "/job/ok/build/" + testUUID(1)
	tests := []struct {
		name      string
		tamper    func(h *hostile, w http.ResponseWriter, r *http.Request) bool
		maxRecord int64
		stored    []int    // builds stored in the end
		reasons   []string // one per refusal, in order
	}{
		{
			name: "job names are validated before they become URLs",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/all-builds" {
					return false
				}
				_, _ = io.WriteString(w, `{"jobs":[{"name":"../etc"},{"name":"_artifacts"},{"name":"ok"}]}`)
				return true
			},
			stored:  []int{1, 2},
			reasons: []string{`job name "../etc" contains '/'`, `job name "_artifacts" starts with '_'`},
		},
		{
			name: "the build JSON names another build",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != buildPath {
					return false
				}
				_, body := h.get(r.URL.RequestURI(), "application/json")
				_, _ = w.Write(bytes.ReplaceAll(body, []byte(testUUID(1)), []byte(testUUID(2))))
				return true
			},
			stored:  []int{2},
			reasons: []string{`the source's JSON names build "ok"/"` + testUUID(2) + `"`},
		},
		{
			// #2 comes first (newest first): its record is #1's.
			name: "the record is another build's",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/job/ok/build/"+testUUID(2)+"/exec" {
					return false
				}
				_, body := h.get(buildPath+"/exec", "")
				_, _ = w.Write(body)
				return true
			},
			stored:  []int{1},
			reasons: []string{"the record is build ok/" + testUUID(1)},
		},
		{
			// #1's record is #2's, stored just before: not "stored meanwhile".
			name: "the record is a stored build's",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != buildPath+"/exec" {
					return false
				}
				_, body := h.get("/job/ok/build/"+testUUID(2)+"/exec", "")
				_, _ = w.Write(body)
				return true
			},
			stored:  []int{2},
			reasons: []string{"Build with same uuid exists: " + testUUID(2)},
		},
		{
			name: "the JSON lists an artifact the record lacks",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != buildPath {
					return false
				}
				_, body := h.get(r.URL.RequestURI(), "application/json")
				var b map[string]any
				if err := json.Unmarshal(body, &b); err != nil {
					t.Error(err)
				}
				b["artifacts"] = append(b["artifacts"].([]any), map[string]any{"path": "extra", "sha256": "00", "size": 1})
				_ = json.NewEncoder(w).Encode(b)
				return true
			},
			stored:  []int{2},
			reasons: []string{"the record has 2 artifacts, the source's JSON 3"},
		},
		{
			name: "a malformed record",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != buildPath+"/exec" {
					return false
				}
				_, _ = io.WriteString(w, "not a record")
				return true
			},
			stored:  []int{2},
			reasons: []string{"record refused: Bad request"},
		},
		{
			name: "a redirect is not followed",
			tamper: func(h *hostile, w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != buildPath+"/exec" {
					return false
				}
				http.Redirect(w, r, "http://example.org/evil", http.StatusFound)
				return true
			},
			stored:  []int{2},
			reasons: []string{"/exec: status 302"},
		},
		{
			name:      "a record over the limit",
			maxRecord: 100,
			reasons:   []string{"record larger than the upload limit", "record larger than the upload limit"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &hostile{real: realURL}
			if tc.tamper != nil {
				h.tamper = func(w http.ResponseWriter, r *http.Request) bool { return tc.tamper(h, w, r) }
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			dst := apptest.New(t)
			p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest, MaxRecord: tc.maxRecord}
			rep, err := p.Pull(t.Context(), srv.URL, mirror.Options{})
			if err != nil {
				t.Fatalf("pull: %v", err)
			}
			if rep.New != len(tc.stored) || len(rep.Refused) != len(tc.reasons) {
				t.Errorf("report %v %v, want %d new and %d refused", rep, rep.Refused, len(tc.stored), len(tc.reasons))
			}
			for i, want := range tc.reasons {
				if i < len(rep.Refused) && !strings.Contains(rep.Refused[i].Reason, want) {
					t.Errorf("refusal %d: %q, want it to say %q", i, rep.Refused[i].Reason, want)
				}
			}
			for n := 1; n <= 2; n++ {
				ok, err := dst.App.DB.BuildExists(t.Context(), testUUID(n))
				if err != nil {
					t.Fatal(err)
				}
				if want := contains(tc.stored, n); ok != want {
					t.Errorf("build #%d stored %v, want %v", n, ok, want)
				}
			}
			for _, p := range h.paths {
				if strings.Contains(p, "etc") || strings.Contains(p, "_artifacts") {
					t.Errorf("asked the source for %s", p)
				}
			}
			checkClean(t, dst)
		})
	}
}

func contains(ns []int, n int) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// checkClean fails unless the data directory verifies and _staging is empty.
func checkClean(t *testing.T, env *apptest.Env) {
	t.Helper()
	if left := testenv.Staged(t, env.Dir); len(left) > 0 {
		t.Errorf("_staging: %v, want it empty", left)
	}
	rep, err := ops.VerifyDataDir(t.Context(), env.App.DB, env.Dir, func(f ops.Finding) { t.Errorf("verify-data-dir: %s", f) }, nil)
	if err != nil || rep.Errors+rep.Warnings > 0 {
		t.Errorf("verify-data-dir: %+v %v", rep, err)
	}
}

// A source that hangs up in the middle ends the pull with an error; the
// builds not stored yet are not refusals, they wait for the next pull.
func TestPullSourceHangsUp(t *testing.T) {
	_, realURL := source(t)
	for _, path := range []string{"/job/ok/build/" + testUUID(1), "/job/ok/build/" + testUUID(1) + "/exec"} {
		h := &hostile{real: realURL}
		h.tamper = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != path {
				return false
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}
		srv := httptest.NewServer(h)
		dst := apptest.New(t)
		p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
		rep, err := p.Pull(t.Context(), srv.URL, mirror.Options{})
		if err == nil || rep.New != 1 || len(rep.Refused) != 0 {
			t.Errorf("%s hangs up: %v %v %v, want an error, build #2 stored, nothing refused", path, rep, rep.Refused, err)
		}
		checkClean(t, dst)
		srv.Close()
	}
}

// A source that does not answer ends the pull with an error.
func TestPullUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	dst := apptest.New(t)
	p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
	rep, err := p.Pull(t.Context(), url, mirror.Options{})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("pull of a closed port: %v, want connection refused", err)
	}
	if rep.New+rep.Skipped+len(rep.Refused) != 0 {
		t.Errorf("report %v, want nothing", rep)
	}
}

// The record streams from the socket into the store: pulling a build with
// a 32 MiB binary allocates a small fraction of that (source and mirror
// together, both in this process).
func TestPullStreams(t *testing.T) {
	const size = 32 << 20
	src := apptest.New(t)
	src.AddUser(t, "builder", "builder-pw", false)
	bin := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	if r := src.Upload(t, "/upload", "builder", "builder-pw", record(t, "big", 1, bin)); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	bin = nil
	url := src.Serve(t)
	dst := apptest.New(t)
	p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep, err := p.Pull(context.Background(), url, mirror.Options{})
	runtime.ReadMemStats(&after)
	if err != nil || rep.New != 1 {
		t.Fatalf("pull: %v %v", rep, err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("pulled %d bytes, allocated %d bytes (%.1f%%)", rep.Bytes, alloc, 100*float64(alloc)/float64(rep.Bytes))
	if alloc > size/4 {
		t.Errorf("allocated %d bytes to pull a %d byte record, want under a quarter of it", alloc, rep.Bytes)
	}
}

// Job names travel as escaped path segments: spaces, '%', '?', '#' and
// non-ASCII letters reach the source intact.
func TestPullOddJobName(t *testing.T) {
	const job = "a b%3F?#ü"
	src := apptest.New(t)
	src.AddUser(t, "builder", "builder-pw", false)
	if r := src.Upload(t, "/upload", "builder", "builder-pw", record(t, job, 1, []byte("A"))); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	url := src.Serve(t)
	dst := apptest.New(t)
	p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
	for _, opts := range []mirror.Options{{}, {Jobs: []string{job}}} {
		rep, err := p.Pull(t.Context(), url, opts)
		if err != nil || len(rep.Refused) > 0 || rep.New+rep.Skipped != 1 {
			t.Errorf("pull %+v: %v %v %v, want the build", opts.Jobs, rep, rep.Refused, err)
		}
	}
	if _, err := dst.App.DB.JobByName(t.Context(), job); err != nil {
		t.Errorf("job %q on the mirror: %v", job, err)
	}
}

// A pull stopped in the middle of a record (Ctrl-C, server shutdown)
// leaves nothing of that build behind, and the next pull completes it.
func TestPullInterruptedResumes(t *testing.T) {
	_, realURL := source(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &hostile{real: realURL}
	h.tamper = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/job/ok/build/"+testUUID(2)+"/exec" || ctx.Err() != nil {
			return false
		}
		_, body := h.get(r.URL.RequestURI(), "")
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond) // the half is staged by now
		cancel()
		<-r.Context().Done()
		return true
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	dst := apptest.New(t)
	p := &mirror.Puller{DB: dst.App.DB, Ingest: dst.App.Ingest}
	rep, err := p.Pull(ctx, srv.URL, mirror.Options{})
	if err == nil || rep.New != 0 || len(rep.Refused) != 0 {
		t.Fatalf("interrupted pull: %v %v %v, want the context's error and nothing stored or refused", rep, rep.Refused, err)
	}
	checkClean(t, dst)
	rep, err = p.Pull(t.Context(), srv.URL, mirror.Options{})
	if err != nil || rep.New != 2 {
		t.Fatalf("second pull: %v %v, want 2 new", rep, err)
	}
	checkClean(t, dst)
}
