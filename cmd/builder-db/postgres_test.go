package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
)

// builder-db on a PostgreSQL database, named by --database before or after
// the command or by the environment: migrate and accounts.
func TestPostgresCommands(t *testing.T) {
	url := pgtest.Postgres(t)
	dir := t.TempDir()
	wantFail(t, "Wrong database application id: 0", "", "user-list", "-d", dir, "--database", url)
	if r := mustRun(t, "", "--database", url, "migrate", "-d", dir); !strings.Contains(r.stdout, "applied migration 0001_baseline.sql") {
		t.Errorf("migrate printed %q", r.stdout)
	}
	mustRun(t, "secret-1\n", "user-add", "alice", "-d", dir, "--unrestricted", "--database", url)
	t.Setenv(cli.EnvDatabase, url)
	mustRun(t, "pw-bob-secret\n", "user-add", "bob", "-d", dir)
	wantFail(t, "user alice already exists", "x\n", "user-add", "alice", "-d", dir)
	if r := mustRun(t, "", "user-list", "-d", dir); !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, "bob") {
		t.Errorf("user-list printed %q", r.stdout)
	}
	wantFail(t, "job not found: some-job", "", "access-add", "bob", "some-job", "-d", dir)
	mustRun(t, "", "user-remove", "bob", "-d", dir)
	if r := mustRun(t, "", "user-list", "-d", dir); strings.Contains(r.stdout, "bob") {
		t.Errorf("user-list after user-remove printed %q", r.stdout)
	}
}

// copy-database moves a data directory's database to PostgreSQL and back
// to a new SQLite file (without PostgreSQL: to a new SQLite file), after
// which the accounts are there; it refuses an existing file and a
// destination with data.
func TestCopyDatabaseCommand(t *testing.T) {
	dir := newDataDir(t)
	mustRun(t, "secret-1\n", "user-add", "alice", "-d", dir, "--unrestricted")
	file := filepath.Join(t.TempDir(), "copy.sqlite3")
	r := mustRun(t, "", "copy-database", "-d", dir, "--to", file)
	if !strings.Contains(r.stdout, "copied to "+file+": 1 users") || !strings.Contains(r.stderr, "copy user") {
		t.Errorf("copy-database printed %q, %q", r.stdout, r.stderr)
	}
	wantFail(t, "the file exists", "", "copy-database", "-d", dir, "--to", file)
	wantFail(t, "unsupported scheme", "", "copy-database", "-d", dir, "--to", "mysql://h/db")
	if !pgtest.Enabled() {
		return
	}
	url := pgtest.Postgres(t)
	if r := mustRun(t, "", "copy-database", "-d", dir, "--to", url); !strings.Contains(r.stdout, "1 users") {
		t.Errorf("copy-database to PostgreSQL printed %q", r.stdout)
	}
	if r := mustRun(t, "", "user-list", "-d", dir, "--database", url); !strings.Contains(r.stdout, "alice") {
		t.Errorf("user-list on the copy printed %q", r.stdout)
	}
	wantFail(t, "not empty", "", "copy-database", "-d", dir, "--to", url)
	back := filepath.Join(t.TempDir(), "back.sqlite3")
	if r := mustRun(t, "", "copy-database", "-d", dir, "--database", url, "--to", back); !strings.Contains(r.stdout, "1 users") {
		t.Errorf("copy-database back printed %q", r.stdout)
	}
}
