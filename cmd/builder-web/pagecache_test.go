package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
)

// The page cache of a running server (a process of its own) notices what
// builder-db did in another process, here this test's: job-remove and
// vacuum change the cached pages within the second that the data version
// may be trusted in memory (pagecache.DefaultMaxAge). With
// BUILDER_WEB_TEST_DATABASE both use PostgreSQL, where the data version is
// a row that triggers bump in every write transaction.
func TestPageCacheSeesBuilderDB(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	database := pgtest.Database(t)
	if database != "" {
		t.Setenv(cli.EnvDatabase, database) // the server's --database
	}
	addUserTo(t, dir, database)
	s := startServer(t, dir, "")
	uuids := map[string]string{}
	for _, v := range []string{"success_hvt", "compare_left", "compare_right", "empty_console"} {
		body, info := loadVector(t, v)
		if code := upload(t, s.addr, body); code != http.StatusCreated {
			t.Fatalf("upload %s: %d", v, code)
		}
		uuids[v] = info.UUID
	}
	// The vectors are from 2024, older than the front page's expiry:
	// /all-builds lists them.
	pages := []string{"/all-builds", "/job/hello-hvt"}
	for _, p := range pages {
		get(t, s.addr, p)
		get(t, s.addr, p)
	}
	if _, m := get(t, s.addr, "/metrics"); !strings.Contains(string(m), `builder_web_page_cache_requests_total{result="hit"}`) {
		t.Fatalf("no page cache hit after asking twice for %v", pages)
	}
	eventually := func(page, s0 string, has bool) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			code, body := get(t, s.addr, page)
			if code == http.StatusOK && strings.Contains(string(body), s0) == has {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s 3 s after builder-db: %d, contains %q is %v, want %v", page, code, s0, !has, has)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	eventually("/all-builds", "static-tool", true)
	eventually("/job/hello-hvt", uuids["compare_left"], true)

	data, err := datadir.Open(t.Context(), dir, datadir.Options{Database: database})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	d, st := data.DB, data.Store
	if _, err := ops.RemoveJob(t.Context(), d, st, "static-tool"); err != nil {
		t.Fatalf("job-remove: %v", err)
	}
	eventually("/all-builds", "static-tool", false)
	if _, err := ops.Vacuum(t.Context(), d, st, ops.VacuumOptions{Mode: ops.VacuumExceptLatest, N: 1}); err != nil {
		t.Fatalf("vacuum: %v", err)
	}
	eventually("/job/hello-hvt", uuids["compare_left"], false)
	eventually("/job/hello-hvt", uuids["compare_right"], true)
}
