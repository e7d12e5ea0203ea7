package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/password"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/migrations"
)

type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs builder-db in-process with stdin as its standard input.
func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb strings.Builder
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// mustRun runs builder-db and fails the test unless it exits 0.
func mustRun(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := runCmd(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("builder-db %q: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

// wantFail runs builder-db and checks that it exits 1 with msg on stderr.
func wantFail(t *testing.T, msg, stdin string, args ...string) result {
	t.Helper()
	r := runCmd(t, stdin, args...)
	if r.code != 1 || !strings.Contains(r.stderr, msg) {
		t.Errorf("builder-db %q: exit %d, stderr %q; want exit 1 and %q", args, r.code, r.stderr, msg)
	}
	return r
}

// newDataDir returns a migrated data directory.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	mustRun(t, "", "migrate", "-d", dir)
	return dir
}

// openDB opens a data directory's database for checks.
func openDB(t *testing.T, dir string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(dir, store.DBFile), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestMigrateCreatesAndIsIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	r := mustRun(t, "", "migrate", "--datadir", dir)
	if !strings.Contains(r.stdout, "created database") || !strings.Contains(r.stdout, "applied migration "+migrations.Baseline) {
		t.Errorf("first migrate printed %q", r.stdout)
	}
	d := openDB(t, dir)
	ctx := context.Background()
	var version, appID int
	if err := dbtest.Reader(t, d).QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 18 {
		t.Errorf("user_version = %d, %v; want 18", version, err)
	}
	if err := dbtest.Reader(t, d).QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil || appID != db.ApplicationID {
		t.Errorf("application_id = %d, %v; want %d", appID, err, db.ApplicationID)
	}
	checkTags(t, d)
	for _, sub := range []string{store.ArtifactsDir, store.StagingDir} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s missing after migrate: %v", sub, err)
		}
	}
	if n, err := d.Pending(ctx); err != nil || n != 0 {
		t.Errorf("pending after migrate = %d, %v", n, err)
	}

	// Flags before the command work too.
	r = mustRun(t, "", "-d", dir, "migrate")
	if !strings.Contains(r.stdout, "up to date") || strings.Contains(r.stdout, "applied") {
		t.Errorf("second migrate printed %q, want only 'up to date'", r.stdout)
	}
	checkTags(t, d)
}

func checkTags(t *testing.T, d *db.DB) {
	t.Helper()
	var tags []string
	if err := dbtest.Reader(t, d).NewRaw("SELECT tag FROM tag ORDER BY id").Scan(context.Background(), &tags); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tags, db.TagNames()) {
		t.Errorf("tags = %q, want %q", tags, db.TagNames())
	}
}

// referenceDB writes a database as the reference's `builder-db migrate`
// leaves it: schema 18, no migration table of ours, no tag rows.
func referenceDB(t *testing.T, userVersion int) string {
	t.Helper()
	dir := t.TempDir()
	ms, err := migrations.Source().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	sdb, err := sql.Open("sqlite3", filepath.Join(dir, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	for _, stmt := range ms[0].Up {
		if _, err := sdb.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, stmt := range []string{"DELETE FROM tag", "PRAGMA user_version = " + strconv.Itoa(userVersion)} {
		if _, err := sdb.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMigrateAdoptsReferenceDatabase(t *testing.T) {
	dir := referenceDB(t, 18)
	r := mustRun(t, "", "migrate", "-d", dir)
	if !strings.Contains(r.stdout, "adopted") || strings.Contains(r.stdout, "applied migration "+migrations.Baseline) ||
		!strings.Contains(r.stdout, "applied migration 0002") {
		t.Errorf("migrate printed %q; want adoption without running the baseline", r.stdout)
	}
	checkTags(t, openDB(t, dir))
	r = mustRun(t, "", "migrate", "-d", dir)
	if !strings.Contains(r.stdout, "up to date") {
		t.Errorf("second migrate printed %q", r.stdout)
	}
}

func TestMigrateRefusesOldDatabase(t *testing.T) {
	dir := referenceDB(t, 17)
	wantFail(t, "upgrade it with the reference's builder-migrations first", "", "migrate", "-d", dir)
}

func TestCommandsNeedMigratedDatabase(t *testing.T) {
	dir := t.TempDir()
	wantFail(t, "builder-db migrate", "", "user-list", "-d", dir)
	wantFail(t, "data directory", "", "user-list", "-d", filepath.Join(dir, "missing"))
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := runCmd(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: builder-db COMMAND") {
			t.Errorf("builder-db %q: exit %d, stdout %q", args, r.code, r.stdout)
		}
		for _, c := range commands {
			if !strings.Contains(r.stdout, "  "+c.name+" ") {
				t.Errorf("builder-db %q does not list %s", args, c.name)
			}
		}
	}
	for _, c := range commands {
		for _, args := range [][]string{{"help", c.name}, {c.name, "--help"}, {"-d", "/nonexistent", c.name, "-h"}} {
			r := runCmd(t, "", args...)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage: builder-db "+c.name) || !strings.Contains(r.stdout, "--datadir") {
				t.Errorf("builder-db %q: exit %d, stdout %q", args, r.code, r.stdout)
			}
		}
	}
	if r := runCmd(t, ""); r.code != 1 || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("builder-db without arguments: exit %d, stderr %q", r.code, r.stderr)
	}
	wantFail(t, `unknown command "frobnicate"`, "", "frobnicate")
	wantFail(t, "flag provided but not defined", "", "user-list", "--frobnicate")
	wantFail(t, "missing arguments", "", "access-add", "alice")
	wantFail(t, `unexpected argument "b"`, "", "user-remove", "a", "b")
}

func TestUsers(t *testing.T) {
	dir := newDataDir(t)
	d := openDB(t, dir)
	ctx := context.Background()
	user := func(name string) *db.User {
		t.Helper()
		u, err := d.UserByName(ctx, name)
		if err != nil {
			t.Fatalf("user %s: %v", name, err)
		}
		return u
	}
	checkPassword := func(name, pw string, want bool) {
		t.Helper()
		if ok, _ := password.Verify(accounts.Credentials(user(name)), pw); ok != want {
			t.Errorf("password %q of %s verifies = %v, want %v", pw, name, ok, want)
		}
	}

	// Flags after the positional argument, password from stdin.
	r := mustRun(t, "secret-1\n", "user-add", "alice", "--datadir", dir, "--unrestricted", "--admin")
	if !strings.Contains(r.stdout, "added user alice (unrestricted, admin)") {
		t.Errorf("user-add printed %q", r.stdout)
	}
	if u := user("alice"); u.Restricted || !u.Admin || u.PasswordArgon2id == nil || len(u.PasswordHash) != 0 {
		t.Errorf("alice = %+v; want unrestricted admin with an argon2id password only", u)
	}
	checkPassword("alice", "secret-1", true)
	checkPassword("alice", "secret-2", false)

	mustRun(t, "pw-bob-secret", "-d", dir, "user-add", "bob") // no newline at the end
	if u := user("bob"); !u.Restricted || u.Admin {
		t.Errorf("bob = %+v; want restricted, not admin", u)
	}
	checkPassword("bob", "pw-bob-secret", true)

	wantFail(t, "user alice already exists", "x\n", "user-add", "alice", "-d", dir)
	wantFail(t, "Enter a password.", "\n", "user-add", "carol", "-d", dir)
	// The web form's rules (app/accounts): too short, too long a name.
	wantFail(t, "A password needs at least 8 characters.", "short\n", "user-add", "carol", "-d", dir)
	wantFail(t, "A user name has at most 255 bytes.", "secret-9\n", "user-add", strings.Repeat("c", 256), "-d", dir)
	wantFail(t, "no input", "", "user-add", "carol", "-d", dir)
	wantFail(t, "cannot contain “:”", "x\n", "user-add", "ca:rol", "-d", dir)

	r = mustRun(t, "", "user-list", "-d", dir)
	if r.stdout != "alice\nbob\n" {
		t.Errorf("user-list = %q, want alice and bob", r.stdout)
	}

	// user-update: new password, and only the flags given change.
	mustRun(t, "secret-2\n", "user-update", "alice", "-d", dir, "--restricted")
	if u := user("alice"); !u.Restricted || !u.Admin {
		t.Errorf("after --restricted alice = %+v; want restricted and still admin", u)
	}
	checkPassword("alice", "secret-2", true)
	checkPassword("alice", "secret-1", false)
	mustRun(t, "secret-3\n", "user-update", "alice", "-d", dir, "--no-admin")
	if u := user("alice"); !u.Restricted || u.Admin {
		t.Errorf("after --no-admin alice = %+v; want still restricted, not admin", u)
	}
	mustRun(t, "secret-3\n", "user-update", "-d", dir, "alice", "--unrestricted", "--admin")
	if u := user("alice"); u.Restricted || !u.Admin {
		t.Errorf("after --unrestricted --admin alice = %+v", u)
	}
	mustRun(t, "secret-4\n", "user-update", "alice", "-d", dir)
	if u := user("alice"); u.Restricted || !u.Admin {
		t.Errorf("after a password change alone alice = %+v; want flags unchanged", u)
	}
	wantFail(t, "unknown user: nobody", "x\n", "user-update", "nobody", "-d", dir)
	wantFail(t, "Enter a password.", "\n", "user-update", "alice", "-d", dir)
	checkPassword("alice", "secret-4", true)

	// user-disable, then enabling with a new password.
	mustRun(t, "", "user-disable", "alice", "-d", dir)
	if u := user("alice"); !u.Disabled() || !u.Restricted || u.DisabledAt == nil {
		t.Errorf("disabled alice = %+v", u)
	}
	checkPassword("alice", "secret-4", false)
	wantFail(t, "unknown user: nobody", "", "user-disable", "nobody", "-d", dir)
	mustRun(t, "secret-5\n", "user-update", "alice", "-d", dir)
	if u := user("alice"); u.Disabled() || u.DisabledAt != nil {
		t.Errorf("re-enabled alice = %+v", u)
	}
	checkPassword("alice", "secret-5", true)

	// user-remove of a user without builds.
	mustRun(t, "", "user-remove", "bob", "-d", dir)
	if _, err := d.UserByName(ctx, "bob"); err == nil {
		t.Error("bob still exists after user-remove")
	}
	wantFail(t, "unknown user: bob", "", "user-remove", "bob", "-d", dir)
	if r := mustRun(t, "", "user-list", "-d", dir); r.stdout != "alice\n" {
		t.Errorf("user-list = %q", r.stdout)
	}
}
