package main

import (
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
