package handlers_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// obsSample matches one sample line of the text format.
var obsSample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$`)

// obsScrape fetches /metrics, checks that every line is well formed and
// that each sample's family was declared by a TYPE line, and returns the
// samples by "name{labels}".
func obsScrape(t *testing.T, env *apptest.Env) map[string]float64 {
	t.Helper()
	r := env.Get(t, "/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", r.Status)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	typed := map[string]bool{}
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(string(r.Body), "\n"), "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			typed[strings.Fields(f)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := obsSample.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed line %q", line)
		}
		fam := m[1]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(fam, suffix); ok && typed[base] {
				fam = base
			}
		}
		if !typed[fam] {
			t.Errorf("sample %q before its TYPE line", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("line %q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	env := obsEnv(t) // three uploads, 201 each
	hvt := apptest.Vector(t, "success_hvt.full")
	if r := env.Upload(t, "/upload", "up", "wrong", hvt); r.Status != http.StatusUnauthorized {
		t.Fatalf("upload with a wrong password: status %d", r.Status)
	}
	env.Get(t, "/job/hello-hvt/build/"+obsHVT, "Accept", "application/json")
	env.Get(t, "/job/hello-hvt/build/"+obsHVT, "Accept", "application/json")
	env.Get(t, "/no/such/page")

	m := obsScrape(t, env)
	want := map[string]float64{
		`builder_web_uploads_total{status="201"}`:                                                                 3,
		`builder_web_uploads_total{status="401"}`:                                                                 1,
		`builder_web_upload_duration_seconds_count`:                                                               4,
		`builder_web_http_request_duration_seconds_count{method="GET",route="/job/:job/build/:build"}`:            2,
		`builder_web_http_requests_total{code="200",method="GET",route="/job/:job/build/:build"}`:                 2,
		`builder_web_http_requests_total{code="404",method="GET",route="unmatched"}`:                              1,
		`builder_web_http_requests_total{code="201",method="POST",route="/upload"}`:                               3,
		`builder_web_http_request_duration_seconds_bucket{method="GET",route="/job/:job/build/:build",le="+Inf"}`: 2,
		`builder_web_jobs`:          3,
		`builder_web_builds`:        3,
		`builder_web_failed_builds`: 2,
		`builder_web_database_up`:   1,
		`builder_web_hooks_running`: 0,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if b := m["builder_web_upload_bytes_total"]; b < float64(len(hvt)) {
		t.Errorf("upload bytes %v, want at least %d", b, len(hvt))
	}
	if m["builder_web_artifacts"] == 0 || m["builder_web_artifact_bytes"] == 0 {
		t.Errorf("artifact totals missing: %v %v", m["builder_web_artifacts"], m["builder_web_artifact_bytes"])
	}
	// Raw paths never become labels.
	for k := range m {
		if strings.Contains(k, "/no/such/page") || strings.Contains(k, obsHVT) {
			t.Errorf("a raw path became a label: %s", k)
		}
	}

	// The deduplicated store size is summed in the background.
	deadline := time.Now().Add(10 * time.Second)
	for {
		m = obsScrape(t, env)
		if _, ok := m["builder_web_stored_bytes"]; ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m["builder_web_stored_bytes"] == 0 || m["builder_web_stored_files"] == 0 ||
		m["builder_web_stored_bytes"] > m["builder_web_artifact_bytes"] {
		t.Errorf("stored files %v, bytes %v (artifact bytes %v)", m["builder_web_stored_files"],
			m["builder_web_stored_bytes"], m["builder_web_artifact_bytes"])
	}
}
