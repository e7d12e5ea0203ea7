package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The exposition a Prometheus server parses: cumulative buckets, +Inf,
// _sum and _count, escaped label values, families sorted by label.
func TestTextFormat(t *testing.T) {
	m := New(nil, nil)
	m.ObserveRequest("GET", "/job/:job", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "/job/:job", 200, 2*time.Second)
	m.ObserveRequest("GET", `/we"ird\`+"\n", 404, time.Millisecond)
	m.HookStarted()
	m.HookFinished("a.sh", time.Second, "timeout")

	var buf bytes.Buffer
	if err := m.Write(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"# TYPE builder_web_http_request_duration_seconds histogram\n",
		`builder_web_http_request_duration_seconds_bucket{method="GET",route="/job/:job",le="0.0025"} 0` + "\n",
		`builder_web_http_request_duration_seconds_bucket{method="GET",route="/job/:job",le="0.005"} 1` + "\n",
		`builder_web_http_request_duration_seconds_bucket{method="GET",route="/job/:job",le="2.5"} 2` + "\n",
		`builder_web_http_request_duration_seconds_bucket{method="GET",route="/job/:job",le="+Inf"} 2` + "\n",
		`builder_web_http_request_duration_seconds_sum{method="GET",route="/job/:job"} 2.003` + "\n",
		`builder_web_http_request_duration_seconds_count{method="GET",route="/job/:job"} 2` + "\n",
		`builder_web_http_requests_total{code="404",method="GET",route="/we\"ird\\\n"} 1` + "\n",
		`builder_web_hook_failures_total{hook="a.sh",reason="timeout"} 1` + "\n",
		"builder_web_hooks_running 0\n",
		"builder_web_upload_bytes_total 0\n",
		"# TYPE go_goroutines gauge\n",
		"# TYPE go_gc_duration_seconds summary\n",
		"# TYPE process_resident_memory_bytes gauge\n",
		"# TYPE builder_web_start_time_seconds gauge\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "builder_web_uploads_total") {
		t.Error("a labelled family nobody touched is printed")
	}
}
