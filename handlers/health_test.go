package handlers_test

import (
	"net/http"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

func TestProbes(t *testing.T) {
	env := apptest.New(t)
	check := func(url string, status int, body string) {
		t.Helper()
		r := env.Get(t, url)
		if r.Status != status || string(r.Body) != body {
			t.Errorf("GET %s: %d %q, want %d %q", url, r.Status, r.Body, status, body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", url, cc)
		}
	}
	check("/healthz", http.StatusOK, "ok\n")
	check("/readyz", http.StatusOK, "ok\n")

	// A database that does not answer makes the server unready, not dead.
	if err := env.App.DB.Close(); err != nil {
		t.Fatal(err)
	}
	check("/readyz", http.StatusServiceUnavailable, "database not ready\n")
	check("/healthz", http.StatusOK, "ok\n")
}
