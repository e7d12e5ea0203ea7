package handlers_test

import (
	"net/http"
	"testing"
)

// A NUL anywhere in the path or the query is refused with 400 before any
// handler sees it: SQLite and the file system would otherwise answer 500
// (#11 item 6).
func TestNULInURL(t *testing.T) {
	env := obsEnv(t)
	const build = "/job/hello-hvt/build/3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18"
	for _, url := range []string{
		"/job/a%00b",
		"/job/x%00",
		"/job/x%00/feed.atom",
		"/job/x%00/badge.svg",
		"/job/x%00/failed",
		"/job/hello-hvt/badge.svg?platform=a%00",
		"/job/hello-hvt?platform=a%00",
		"/job/hello-hvt/build/latest?platform=%00",
		"/job/hello-hvt/build/latest/f/bin/hello.hvt?platform=a%00",
		"/?platform=a%00",
		"/?q=%00",
		"/failed-builds?platform=%00&result=%00",
		"/new-builds?since=0&job=%00",
		build + "/f/%00",
		build + "/f/bin/%00x",
		build + "/console/view?q=%00",
	} {
		for _, accept := range []string{"text/html", "application/json"} {
			r := env.Get(t, url, "Accept", accept)
			if r.Status != http.StatusBadRequest {
				t.Errorf("GET %s (%s): status %d (%.80s), want 400", url, accept, r.Status, r.Body)
			}
		}
	}
	if r := env.Upload(t, "/job/a%00/platform/p/upload", "up", "upload-pw", []byte("bin")); r.Status != http.StatusBadRequest {
		t.Errorf("bare upload to a job with NUL: status %d (%s), want 400", r.Status, r.Body)
	}
	if r := env.Upload(t, "/job/a/platform/p%00/upload?binary_name=x%00", "up", "upload-pw", []byte("bin")); r.Status != http.StatusBadRequest {
		t.Errorf("bare upload with NUL in platform: status %d (%s), want 400", r.Status, r.Body)
	}
	// An escaped percent sign is no NUL.
	if r := env.Get(t, "/job/a%2500b"); r.Status != http.StatusNotFound {
		t.Errorf("GET /job/a%%2500b: status %d, want 404", r.Status)
	}
}
