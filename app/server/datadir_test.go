package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// restart closes env's app and starts a new one over the same data
// directory as node (empty: the host name), logging into log.
func restart(t *testing.T, env *apptest.Env, node string, log io.Writer) (*apptest.Env, error) {
	t.Helper()
	env.App.Close()
	a, err := server.New(context.Background(), server.Config{DataDir: env.Dir, ConfigDir: t.TempDir(),
		ExpiredJobs: server.DefaultExpiredJobs, MaxUploadSize: server.DefaultMaxUploadSize, Database: env.Database,
		Node: node},
		slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { a.Close() })
	return &apptest.Env{App: a, Dir: env.Dir, Database: env.Database}, nil
}

// Interrupted uploads that name the database as their job, or whose job
// directory is a file, do not keep the server from starting: they are
// logged, and what can be cleaned is cleaned (#11 item 1).
func TestStartSkipsOddLeftovers(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	dir := env.Dir
	orphan := []byte("moved by an interrupted commit")
	sum := sha256.Sum256(orphan)
	h := hex.EncodeToString(sum[:])
	write := func(rel, content string) { t.Helper(); testenv.WriteFile(t, dir, rel, content) }
	write("_artifacts/"+h[:2]+"/"+h, string(orphan))
	const dbJob, fileJob = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	staging := "_staging/" + env.App.Store.Node() + "/"
	write(staging+dbJob+"/commit-manifest", "builder.sqlite3\n"+h+"\n")
	write(staging+fileJob+"/commit-manifest", "blocked\n")
	write("blocked", "a file where a job directory would be")
	write(staging+"stray-file", "")

	var log bytes.Buffer
	env, err := restart(t, env, "", &log)
	if err != nil {
		t.Fatalf("start over odd leftovers: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "builder.sqlite3")); env.Database == "" && (err != nil || !fi.Mode().IsRegular()) {
		t.Errorf("database file after start: %v", err)
	}
	if left := testenv.Staged(t, dir); len(left) != 0 {
		t.Errorf("staging after start: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "_artifacts", h[:2], h)); err == nil {
		t.Errorf("unreferenced artifact of an interrupted commit was kept")
	}
	for _, entry := range []string{dbJob, fileJob} {
		if !strings.Contains(log.String(), entry) {
			t.Errorf("log does not mention %s:\n%s", entry, log.String())
		}
	}
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "after", "bin/x")); r.Status != http.StatusCreated {
		t.Errorf("upload after start: status %d (%s), want 201", r.Status, r.Body)
	}
}

// A database locked by another process past the busy timeout is a 503
// with Retry-After that leaves nothing behind, not a 500 (#11 item 7).
func TestUploadDatabaseBusy(t *testing.T) {
	pgtest.SQLiteOnly(t, "holds SQLite's write lock from another connection")
	env := apptest.New(t, func(c *server.Config) { c.BusyTimeout = 200 * time.Millisecond })
	env.AddUser(t, "up", "up-password", false)
	ctx := context.Background()
	// Another process's write transaction, as builder-db or sqlite3 would hold.
	other, err := sql.Open("sqlite3", "file:"+filepath.Join(env.Dir, "builder.sqlite3")+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	for _, accept := range []string{"text/plain", "application/json"} {
		req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(apptest.Record(t, "busy", "bin/x")))
		req.SetBasicAuth("up", "up-password")
		req.Header.Set("Accept", accept)
		r := env.Do(t, req)
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
			t.Errorf("upload (%s) while locked: status %d Retry-After %q (%s), want 503 with Retry-After",
				accept, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files left after a busy database: %v", files)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	env.AssertNoBuilds(t)
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "busy", "bin/x")); r.Status != http.StatusCreated {
		t.Errorf("upload after the lock: status %d (%s), want 201", r.Status, r.Body)
	}
}

// An upload while another node (another handle on the same database)
// holds a write transaction past the busy timeout is a 503 with
// Retry-After that leaves nothing behind, on either backend: on
// PostgreSQL the nodes' write transactions exclude each other as SQLite's
// do (issue 16), and waiting too long is no server fault.
func TestUploadBusyOtherNode(t *testing.T) {
	env := apptest.New(t, func(c *server.Config) { c.BusyTimeout = 200 * time.Millisecond })
	env.AddUser(t, "up", "up-password", false)
	ctx := context.Background()
	other, err := db.OpenLocation(ctx, env.App.DB.Location(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- other.WriteTx(ctx, func(context.Context, *db.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "busy", "bin/x"))
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("upload while another node writes: status %d Retry-After %q (%s), want 503 with Retry-After",
			r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files left after a busy database: %v", files)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	env.AssertNoBuilds(t)
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "busy", "bin/x")); r.Status != http.StatusCreated {
		t.Errorf("upload after the other node committed: status %d (%s), want 201", r.Status, r.Body)
	}
}

// With --no-migrate the server refuses a database with one of our
// migrations pending, as README says, instead of starting and answering
// 500 on every page that reads the missing table.
func TestNoMigrateRefusesPendingMigrations(t *testing.T) {
	env := apptest.New(t)
	if _, err := env.App.DB.MigrateDown(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	env.App.Close()
	cfg := server.Config{DataDir: env.Dir, ConfigDir: t.TempDir(), NoMigrate: true, Database: env.Database,
		ExpiredJobs: server.DefaultExpiredJobs, MaxUploadSize: server.DefaultMaxUploadSize}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if a, err := server.New(context.Background(), cfg, log); err == nil {
		a.Close()
		t.Fatal("--no-migrate started on a database with a pending migration")
	} else if !strings.Contains(err.Error(), "migrat") {
		t.Errorf("error %q does not say to migrate", err)
	}
	cfg.NoMigrate = false
	a, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("a migrating start: %v", err)
	}
	a.Close()
}
