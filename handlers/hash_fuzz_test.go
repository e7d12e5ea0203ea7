package handlers_test

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// FuzzHashQuery fuzzes /hash's sha256 parameter through the real handler
// (its parsing is inline there): the answer is a 302 exactly when the
// trimmed value is the hex of a stored artifact's hash, a 404 for other
// hex, a 400 otherwise, and never an error page. Run by `make fuzz`;
// crashers land in testdata/fuzz/FuzzHashQuery.
func FuzzHashQuery(f *testing.F) {
	const (
		known = "715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e" // bin/hello.hvt
		build = "/job/hello-hvt/build/3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18"
	)
	env := apptest.New(f)
	env.AddUser(f, "up", "fuzz-password", false)
	if r := env.Upload(f, "/upload", "up", "fuzz-password", apptest.Vector(f, "success_hvt.full")); r.Status != http.StatusCreated {
		f.Fatalf("upload: status %d (%s)", r.Status, r.Body)
	}
	for _, s := range []string{known, strings.ToUpper(known), " " + known + "\n", known[:63], known + "00",
		"", " ", "zz", strings.Repeat("0", 64), "0x" + known, "%00", "\u00a0" + known} {
		f.Add(s)
	}
	want, _ := hex.DecodeString(known)
	f.Fuzz(func(t *testing.T, s string) {
		r := env.Do(t, httptest.NewRequest(http.MethodGet, "/hash?sha256="+url.QueryEscape(s), nil))
		trimmed := strings.TrimSpace(s)
		sha, err := hex.DecodeString(trimmed)
		switch {
		case trimmed == "" || err != nil:
			if r.Status != http.StatusBadRequest {
				t.Fatalf("/hash?sha256=%q: status %d, want 400", s, r.Status)
			}
		case bytes.Equal(sha, want):
			if loc := r.Header.Get("Location"); r.Status != http.StatusFound || !strings.HasSuffix(loc, build) {
				t.Fatalf("/hash?sha256=%q: status %d location %q, want 302 to %s", s, r.Status, loc, build)
			}
		default:
			if r.Status != http.StatusNotFound {
				t.Fatalf("/hash?sha256=%q: status %d, want 404", s, r.Status)
			}
		}
	})
}
