// Package apptest runs a real builder-web (real SQLite, real data
// directory in a temp dir) for HTTP tests through fiber's app.Test. With
// BUILDER_WEB_TEST_DATABASE set its database is a fresh PostgreSQL schema
// instead (pgtest).
package apptest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// Env is one server over a fresh data directory.
type Env struct {
	App *server.App
	Dir string
	// Database is the server's --database: "" for SQLite in Dir, or the
	// test's PostgreSQL schema. Another process of the test opens the
	// same database with it.
	Database string
}

// New starts an app over a new data directory; modify adjusts the config.
func New(tb testing.TB, modify ...func(*server.Config)) *Env {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "data")
	cfg := server.Config{
		Host: "127.0.0.1", Port: 0, DataDir: dir, ConfigDir: tb.TempDir(),
		ExpiredJobs: server.DefaultExpiredJobs, MaxUploadSize: server.DefaultMaxUploadSize,
		Database: pgtest.Database(tb),
	}
	for _, m := range modify {
		m(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a, err := server.New(context.Background(), cfg, log)
	if err != nil {
		tb.Fatalf("start app: %v", err)
	}
	tb.Cleanup(func() { a.Close() })
	return &Env{App: a, Dir: cfg.DataDir, Database: cfg.Database}
}

// Serve makes the app answer on a real socket (127.0.0.1, a free port)
// until the test ends, and returns its base URL: for clients that are not
// fiber's app.Test, such as another server pulling from this one.
func (e *Env) Serve(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = e.App.Fiber.Listener(ln) }()
	tb.Cleanup(func() { _ = e.App.Fiber.Shutdown() }) // before Close (cleanups run last first)
	return "http://" + ln.Addr().String()
}

// AddUser creates an uploader with an argon2id password.
func (e *Env) AddUser(tb testing.TB, name, pw string, restricted bool) {
	tb.Helper()
	if _, err := accounts.Create(context.Background(), e.App.DB, name, pw, restricted, false); err != nil {
		tb.Fatalf("add user %s: %v", name, err)
	}
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req through the app.
func (e *Env) Do(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	resp, err := e.App.Fiber.Test(req, -1)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Get sends a GET with optional header pairs ("Accept", "application/json").
func (e *Env) Get(tb testing.TB, target string, headers ...string) Response {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Do(tb, req)
}

// Upload posts body to target with basic auth (no auth when user is empty).
func (e *Env) Upload(tb testing.TB, target, user, pw string, body []byte) Response {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", BasicAuth(user, pw))
	}
	return e.Do(tb, req)
}

// BasicAuth is the Authorization header value of HTTP basic auth.
func BasicAuth(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

// Vector reads a shared test vector.
func Vector(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(testenv.Vector(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Files lists every regular file under the data directory, relative to it,
// except the database files and the signing key (_keys/).
func (e *Env) Files(tb testing.TB) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(e.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.Dir, p)
		if d.IsDir() {
			if rel == store.KeysDir {
				return filepath.SkipDir // the server's signing key, made at start
			}
			return nil
		}
		switch rel {
		case "builder.sqlite3", "builder.sqlite3-wal", "builder.sqlite3-shm":
			return nil
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// AssertNoBuilds fails the test if the database holds any build row: a
// refused or interrupted upload must leave nothing behind.
func (e *Env) AssertNoBuilds(tb testing.TB) {
	tb.Helper()
	var n int
	if err := dbtest.Reader(tb, e.App.DB).NewRaw("SELECT count(*) FROM build").Scan(context.Background(), &n); err != nil {
		tb.Fatal(err)
	}
	if n != 0 {
		tb.Errorf("%d build rows, want none", n)
	}
}

// Record builds a small valid upload with the given job and artifact
// paths; its UUID is derived from them, so different records never clash.
func Record(t testing.TB, job string, paths ...string) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(job + "\x00" + strings.Join(paths, "\x00")))
	id := [16]byte(sum[:16])
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return RecordUUID(t, id, job, paths...)
}

// RecordUUID is Record with a chosen UUID.
func RecordUUID(t testing.TB, id [16]byte, job string, paths ...string) []byte {
	t.Helper()
	e := &builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: job, Script: "true", Platform: "debian-12"},
		UUID:   id,
		Start:  time.UnixMilli(1700000000000).UTC(),
		Finish: time.UnixMilli(1700000060000).UTC(),
	}}
	for _, p := range paths {
		e.Files = append(e.Files, builder.File{Path: p, Data: []byte("content of " + p)})
	}
	b, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
