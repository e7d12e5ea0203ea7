package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"github.com/builder-web/builder-web/migrations"
)

// TestPostgresStatusUpDown: status, up, down to the baseline and up again
// on an empty PostgreSQL database, named by --database or by the
// environment; no SQLite file appears in the data directory.
func TestPostgresStatusUpDown(t *testing.T) {
	url := pgtest.Postgres(t)
	dir := t.TempDir() // the artifacts' data directory; the database is elsewhere
	ms, err := migrations.PostgresSource().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, "status", "-d", dir, "--database", url)
	if n := strings.Count(r.stdout, "pending"); n != len(ms) {
		t.Errorf("status of an empty database: %d pending, want %d:\n%s", n, len(ms), r.stdout)
	}
	r = mustRun(t, "up", "-d", dir, "--database", url)
	if n := strings.Count(r.stdout, "applied migration "); n != len(ms) {
		t.Errorf("up applied %d, want %d:\n%s", n, len(ms), r.stdout)
	}
	if strings.Contains(r.stdout, "password") || !strings.Contains(r.stdout, "applied migration "+migrations.Baseline) {
		t.Errorf("up printed %q", r.stdout)
	}

	// The environment variable names the database as well as the flag.
	t.Setenv(cli.EnvDatabase, url)
	if r = mustRun(t, "status", "-d", dir); strings.Contains(r.stdout, "pending") || strings.Count(r.stdout, "applied") != len(ms) {
		t.Errorf("status after up:\n%s", r.stdout)
	}
	r = mustRun(t, "down", "100", "-d", dir)
	if n := strings.Count(r.stdout, "rolled back 0"); n != len(ms)-1 || !strings.Contains(r.stdout, "never rolled back") {
		t.Errorf("down 100 printed %q", r.stdout)
	}
	if r = mustRun(t, "status", "-d", dir); strings.Count(r.stdout, "pending") != len(ms)-1 {
		t.Errorf("status after down:\n%s", r.stdout)
	}
	if r = mustRun(t, "up", "-d", dir); strings.Count(r.stdout, "applied migration ") != len(ms)-1 {
		t.Errorf("up after down printed %q", r.stdout)
	}
	if r = mustRun(t, "up", "-d", dir); !strings.HasSuffix(r.stdout, " is up to date\n") {
		t.Errorf("second up printed %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFile)); !os.IsNotExist(err) {
		t.Errorf("a SQLite file in the data directory of a PostgreSQL database: %v", err)
	}
}

// TestDatabaseFlagErrors: a --database that is no PostgreSQL URL is refused
// with exit 2, and no SQLite file is created in its place.
func TestDatabaseFlagErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct{ value, want string }{
		{"mysql://u@h/db", `unsupported scheme "mysql"`},
		{"builder.sqlite3", `unsupported scheme ""`},
		{"postgres:///db", "no host"},
		{"postgres://u:secret@h:x/db", "not a URL"},
	} {
		r := runCmd(t, "up", "-d", dir, "--database", tc.value)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "secret") {
			t.Errorf("--database %q: exit %d, stderr %q; want exit 2 and %q", tc.value, r.code, r.stderr, tc.want)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a refused --database created the data directory: %v", err)
	}
}
