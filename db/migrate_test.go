package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/migrations"
)

// referenceDDL is the schema version 18 as the reference's `builder-db
// migrate` (db/builder_db.ml) creates it, with its comments, and with
// build_artifact as migration 2023-09-14 leaves it (created under another
// name, then renamed).
var referenceDDL = []string{
	`CREATE TABLE job (
           id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           name VARCHAR(255) NOT NULL UNIQUE
         )`,
	`CREATE TABLE new_build_artifact (
         id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
         filepath TEXT NOT NULL,
         sha256 BLOB NOT NULL,
         size INTEGER NOT NULL,
         build INTEGER NOT NULL,

         FOREIGN KEY(build) REFERENCES build(id),
         UNIQUE(build, filepath)
       )`,
	`ALTER TABLE new_build_artifact RENAME TO build_artifact`,
	`CREATE TABLE build (
           id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           uuid VARCHAR(36) NOT NULL UNIQUE,
           start_d INTEGER NOT NULL,
           start_ps INTEGER NOT NULL,
           finish_d INTEGER NOT NULL,
           finish_ps INTEGER NOT NULL,
           result_code INTEGER NOT NULL,
           result_msg TEXT,
           console TEXT NOT NULL,
           script TEXT NOT NULL,
           platform TEXT NOT NULL,
           main_binary INTEGER,
           user INTEGER NOT NULL,
           job INTEGER NOT NULL,
           input_id BLOB, -- sha256 (sha256<opam-switch> || sha256<build-environment> || sha256<system-packages>)

           FOREIGN KEY(main_binary) REFERENCES build_artifact(id) DEFERRABLE INITIALLY DEFERRED,
           FOREIGN KEY(user) REFERENCES user(id),
           FOREIGN KEY(job) REFERENCES job(id)
         )`,
	`CREATE TABLE user (
           id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           username VARCHAR(255) NOT NULL UNIQUE,
           password_hash BLOB NOT NULL,
           password_salt BLOB NOT NULL,
           scrypt_n INTEGER NOT NULL,
           scrypt_r INTEGER NOT NULL,
           scrypt_p INTEGER NOT NULL,
           restricted BOOLEAN NOT NULL
         )`,
	`CREATE TABLE access_list (
             id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
             user INTEGER NOT NULL,
             job INTEGER NOT NULL,

             FOREIGN KEY(user) REFERENCES user(id),
             FOREIGN KEY(job) REFERENCES job(id),
             UNIQUE(user, job)
           )`,
	`CREATE TABLE tag (
           id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           tag VARCHAR(255) NOT NULL UNIQUE
         )`,
	`CREATE TABLE job_tag (
           id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
           tag INTEGER NOT NULL,
           value TEXT NOT NULL,
           job INTEGER NOT NULL,

           FOREIGN KEY(job) REFERENCES job(id),
           FOREIGN KEY(tag) REFERENCES tag(id),
           UNIQUE(tag, job)
         )`,
	"CREATE INDEX idx_build_job_start ON build(job, start_d DESC, start_ps DESC)",
	"CREATE INDEX idx_build_failed ON build(job, start_d DESC, start_ps DESC) WHERE main_binary IS NULL",
	"CREATE INDEX idx_build_input_id ON build(input_id)",
	"CREATE INDEX idx_build_main_binary ON build(main_binary)",
	"CREATE INDEX idx_build_artifact_sha256 ON build_artifact(sha256)",
	"CREATE INDEX idx_build_artifact_build ON build_artifact(build)",
	"PRAGMA application_id = 1234839235",
	"PRAGMA user_version = 18",
}

// referenceRows is data as the reference writes it: a scrypt user, a
// restricted (disabled) user with an access-list entry, a job with only some
// tags (and an extra tag name), a successful and a failed build.
var referenceRows = []string{
	`INSERT INTO user VALUES (1, 'test', X'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', X'0123456789abcdef0123456789abcdef', 16384, 8, 1, 0)`,
	`INSERT INTO user VALUES (2, 'gone', X'', X'', 16384, 8, 1, 1)`,
	`INSERT INTO job VALUES (7, 'hello')`,
	`INSERT INTO access_list VALUES (3, 2, 7)`,
	`INSERT INTO tag VALUES (1, 'section'), (2, 'synopsis'), (5, 'custom')`,
	`INSERT INTO job_tag VALUES (1, 1, 'Unikernels', 7), (2, 5, 'x', 7)`,
	`INSERT INTO build VALUES (10, 'aaaaaaaa-0000-4000-8000-000000000001', 19000, 5, 19000, 7, 0, NULL,
		'hello/aaaaaaaa-0000-4000-8000-000000000001/console.txt', 'hello/aaaaaaaa-0000-4000-8000-000000000001/script.txt',
		'debian-12', 20, 1, 7, X'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100')`,
	`INSERT INTO build_artifact VALUES (20, 'bin/hello.hvt', X'1111111111111111111111111111111111111111111111111111111111111111', 42, 10)`,
	`INSERT INTO build VALUES (11, 'aaaaaaaa-0000-4000-8000-000000000002', 19001, 0, 19001, 1, 65536, 'oops',
		'hello/aaaaaaaa-0000-4000-8000-000000000002/console.txt', 'hello/aaaaaaaa-0000-4000-8000-000000000002/script.txt',
		'debian-12', NULL, 1, 7, NULL)`,
}

// wantColumns is schema 18 as PRAGMA table_info reports it: name, declared
// type, NOT NULL, primary key position.
var wantColumns = map[string][]column{
	"job": {{"id", "INTEGER", 1, 1}, {"name", "VARCHAR(255)", 1, 0}},
	"build": {{"id", "INTEGER", 1, 1}, {"uuid", "VARCHAR(36)", 1, 0},
		{"start_d", "INTEGER", 1, 0}, {"start_ps", "INTEGER", 1, 0},
		{"finish_d", "INTEGER", 1, 0}, {"finish_ps", "INTEGER", 1, 0},
		{"result_code", "INTEGER", 1, 0}, {"result_msg", "TEXT", 0, 0},
		{"console", "TEXT", 1, 0}, {"script", "TEXT", 1, 0}, {"platform", "TEXT", 1, 0},
		{"main_binary", "INTEGER", 0, 0}, {"user", "INTEGER", 1, 0}, {"job", "INTEGER", 1, 0},
		{"input_id", "BLOB", 0, 0}},
	"build_artifact": {{"id", "INTEGER", 1, 1}, {"filepath", "TEXT", 1, 0},
		{"sha256", "BLOB", 1, 0}, {"size", "INTEGER", 1, 0}, {"build", "INTEGER", 1, 0}},
	"user": {{"id", "INTEGER", 1, 1}, {"username", "VARCHAR(255)", 1, 0},
		{"password_hash", "BLOB", 1, 0}, {"password_salt", "BLOB", 1, 0},
		{"scrypt_n", "INTEGER", 1, 0}, {"scrypt_r", "INTEGER", 1, 0}, {"scrypt_p", "INTEGER", 1, 0},
		{"restricted", "BOOLEAN", 1, 0},
		// ours (0002)
		{"password_argon2id", "TEXT", 0, 0}, {"admin", "BOOLEAN", 0, 0}, {"disabled_at", "INTEGER", 0, 0}},
	"access_list": {{"id", "INTEGER", 1, 1}, {"user", "INTEGER", 1, 0}, {"job", "INTEGER", 1, 0}},
	"tag":         {{"id", "INTEGER", 1, 1}, {"tag", "VARCHAR(255)", 1, 0}},
	"job_tag": {{"id", "INTEGER", 1, 1}, {"tag", "INTEGER", 1, 0},
		{"value", "TEXT", 1, 0}, {"job", "INTEGER", 1, 0}},
}

type column struct {
	Name    string
	Type    string
	NotNull int
	PK      int
}

func tableColumns(t *testing.T, q bun.IDB, table string) []column {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), fmt.Sprintf("PRAGMA table_info(%q)", table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		var cid int
		var dflt sql.NullString
		if err := rows.Scan(&cid, &c.Name, &c.Type, &c.NotNull, &dflt, &c.PK); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	return cols
}

// schemaSQL returns name → normalised CREATE statement of every index and
// table, so two databases can be compared.
func schemaSQL(t *testing.T, q bun.IDB, typ string) map[string]string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL", typ)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, s string
		if err := rows.Scan(&name, &s); err != nil {
			t.Fatal(err)
		}
		out[name] = strings.Join(strings.Fields(s), " ")
	}
	return out
}

func pragma(t *testing.T, q bun.IDB, name string) string {
	t.Helper()
	var v string
	if err := q.NewRaw("PRAGMA "+name).Scan(t.Context(), &v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func tags(t *testing.T, d *DB) []string {
	t.Helper()
	var names []string
	if err := d.read.NewRaw("SELECT tag FROM tag ORDER BY id").Scan(t.Context(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrateFresh(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite header and schema text (TestPostgresMigrations covers PostgreSQL)")
	d := newDB(t)
	ctx := t.Context()

	for table, want := range wantColumns {
		if got := tableColumns(t, d.read, table); !reflect.DeepEqual(got, want) {
			t.Errorf("table %s columns:\n got %v\nwant %v", table, got, want)
		}
	}
	build := schemaSQL(t, d.read, "table")["build"]
	if !strings.Contains(build, "FOREIGN KEY(main_binary) REFERENCES build_artifact(id) DEFERRABLE INITIALLY DEFERRED") {
		t.Errorf("build's main_binary foreign key is not deferred: %s", build)
	}
	for _, table := range referenceTables {
		if s := schemaSQL(t, d.read, "table")[table]; !strings.Contains(s, "AUTOINCREMENT") {
			t.Errorf("table %s has no AUTOINCREMENT id: %s", table, s)
		}
	}
	wantIdx := map[string]string{
		"idx_build_job_start":       "CREATE INDEX idx_build_job_start ON build(job, start_d DESC, start_ps DESC)",
		"idx_build_failed":          "CREATE INDEX idx_build_failed ON build(job, start_d DESC, start_ps DESC) WHERE main_binary IS NULL",
		"idx_build_input_id":        "CREATE INDEX idx_build_input_id ON build(input_id)",
		"idx_build_main_binary":     "CREATE INDEX idx_build_main_binary ON build(main_binary)",
		"idx_build_artifact_sha256": "CREATE INDEX idx_build_artifact_sha256 ON build_artifact(sha256)",
		"idx_build_artifact_build":  "CREATE INDEX idx_build_artifact_build ON build_artifact(build)",
		"idx_build_user":            "CREATE INDEX idx_build_user ON build(user, start_d DESC, start_ps DESC)",
	}
	// The reference's indices exactly; later migrations may add more.
	got := schemaSQL(t, d.read, "index")
	for name, want := range wantIdx {
		if got[name] != want {
			t.Errorf("index %s:\n got %q\nwant %q", name, got[name], want)
		}
	}

	for name, want := range map[string]string{
		"application_id": "1234839235",
		"user_version":   "18",
		"journal_mode":   "wal",
		"foreign_keys":   "1",
		"busy_timeout":   "10000",
		"query_only":     "1",
	} {
		if got := pragma(t, d.read, name); got != want {
			t.Errorf("reader PRAGMA %s = %s, want %s", name, got, want)
		}
	}
	_ = d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for name, want := range map[string]string{
			"synchronous":  "2", // FULL
			"foreign_keys": "1",
			"query_only":   "0",
		} {
			if got := pragma(t, tx, name); got != want {
				t.Errorf("writer PRAGMA %s = %s, want %s", name, got, want)
			}
		}
		return nil
	})

	if got, want := tags(t, d), TagNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	if err := d.CheckVersion(ctx); err != nil {
		t.Errorf("CheckVersion: %v", err)
	}
	if n, err := d.Pending(ctx); n != 0 || err != nil {
		t.Errorf("Pending = %d, %v; want 0", n, err)
	}
	st, err := d.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) < 3 || st[0].ID != migrations.Baseline {
		t.Fatalf("status %+v", st)
	}
	for _, s := range st {
		if !s.Applied || s.AppliedAt.IsZero() {
			t.Errorf("%s not applied: %+v", s.ID, s)
		}
	}
}

func TestReadersCannotWrite(t *testing.T) {
	d := newDB(t)
	if _, err := d.read.ExecContext(t.Context(), "INSERT INTO job (name) VALUES ('x')"); err == nil {
		t.Error("insert through the read pool succeeded")
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite schema text (TestPostgresMigrations covers PostgreSQL)")
	d := newDB(t)
	before := schemaSQL(t, d.read, "table")
	n, err := d.Migrate(t.Context())
	if err != nil || n != 0 {
		t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	if got := tags(t, d); len(got) != 4 {
		t.Errorf("tags after second migrate: %v", got)
	}
	if after := schemaSQL(t, d.read, "table"); !reflect.DeepEqual(before, after) {
		t.Errorf("schema changed")
	}
}

func TestOpenMissingRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	_, err := Open(t.Context(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "builder-db migrate") {
		t.Errorf("Open(missing) error %v, want one naming builder-db migrate", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) created the file: %v", err)
	}
}

func TestOpenPathWithSpecialCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?#%", "builder.sqlite3")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	d := openPath(t, path, true)
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

// dump returns every row of the given tables, columns in table order.
func dump(t *testing.T, q bun.IDB, cols map[string]string) map[string][][]any {
	t.Helper()
	out := map[string][][]any{}
	for table, sel := range cols {
		rows, err := q.QueryContext(t.Context(), "SELECT "+sel+" FROM "+table+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		n := len(strings.Split(sel, ","))
		for rows.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], vals)
		}
		rows.Close()
	}
	return out
}

// referenceColumns selects exactly the reference's columns of each table.
var referenceColumns = map[string]string{
	"job":            "id, name",
	"build":          "id, uuid, start_d, start_ps, finish_d, finish_ps, result_code, result_msg, console, script, platform, main_binary, user, job, input_id",
	"build_artifact": "id, filepath, sha256, size, build",
	"user":           "id, username, password_hash, password_salt, scrypt_n, scrypt_r, scrypt_p, restricted",
	"access_list":    "id, user, job",
	"tag":            "id, tag",
	"job_tag":        "id, tag, value, job",
}

func TestAdoptReferenceDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	rawExec(t, path, referenceDDL...)
	rawExec(t, path, referenceRows...)

	d := openPath(t, path, false)
	before := dump(t, d.read, referenceColumns)
	all := migrationCount(t)
	if n, err := d.Pending(ctx); err != nil || n != all {
		t.Errorf("Pending before adoption = %d, %v; want %d", n, err, all)
	}
	// Status must not create our table (that would make the database look
	// adopted without its baseline).
	if _, ok := schemaSQL(t, d.read, "table")[migrations.TableName]; ok {
		t.Fatal("MigrationStatus created the migration table")
	}

	n, err := d.Migrate(ctx)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if n != all-1 {
		t.Errorf("Migrate applied %d, want %d (all but the baseline)", n, all-1)
	}
	after := dump(t, d.read, referenceColumns)
	// Only the missing tag names were added.
	wantTags := append(before["tag"], []any{int64(6), "description"}, []any{int64(7), "readme.md"})
	if !reflect.DeepEqual(after["tag"], wantTags) {
		t.Errorf("tag rows %v, want %v", after["tag"], wantTags)
	}
	delete(before, "tag")
	delete(after, "tag")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("rows changed by adoption:\nbefore %v\nafter  %v", before, after)
	}

	st, err := d.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("%s not recorded after adoption", s.ID)
		}
	}
	if got := pragma(t, d.read, "user_version"); got != "18" {
		t.Errorf("user_version %s after adoption, want 18", got)
	}
	if err := d.CheckVersion(ctx); err != nil {
		t.Error(err)
	}
	// The adopted database works: the reference's user reads with our model.
	u, err := d.UserByName(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if !u.Disabled() || u.Admin || u.DisabledAt != nil || u.PasswordArgon2id != nil {
		t.Errorf("reference's disabled user reads as %+v", u)
	}
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("Migrate after adoption = %d, %v; want 0, nil", n, err)
	}
}

func TestRefuseOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	ddl := append([]string{}, referenceDDL...)
	ddl[len(ddl)-1] = "PRAGMA user_version = 17"
	rawExec(t, path, ddl...)
	d := openPath(t, path, false)
	_, err := d.Migrate(t.Context())
	if err == nil || !strings.Contains(err.Error(), "upgrade it with the reference's builder-migrations first") {
		t.Errorf("Migrate(v17) error %v", err)
	}
	if _, ok := schemaSQL(t, d.read, "table")[migrations.TableName]; ok {
		t.Error("refused migration created the migration table")
	}
	if err := d.CheckVersion(t.Context()); err == nil || !strings.Contains(err.Error(), "Wrong database version: 17, expected 18") {
		t.Errorf("CheckVersion(v17) = %v", err)
	}
}

func TestRefuseWrongApplicationID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.sqlite3")
	rawExec(t, path, "PRAGMA application_id = 42", "CREATE TABLE x (y)")
	d := openPath(t, path, false)
	want := "Wrong database application id: 42, expected 1234839235"
	if _, err := d.Migrate(t.Context()); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Migrate error %v, want %q", err, want)
	}
	if err := d.CheckVersion(t.Context()); err == nil || err.Error() != want {
		t.Errorf("CheckVersion error %v, want %q", err, want)
	}
}

func TestMigrateDownUp(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite schema text (TestPostgresMigrations covers PostgreSQL)")
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	admin := User{Username: "root", Admin: true}
	admin.UseArgon2id(hashPassword(t, "root-password"))
	if _, err := d.AddUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	before := dump(t, d.read, referenceColumns)

	n, err := d.MigrateDown(ctx, 100)
	if err != nil {
		t.Fatalf("MigrateDown: %v", err)
	}
	later := migrationCount(t) - 1
	if n != later {
		t.Errorf("MigrateDown rolled back %d, want %d (never the baseline)", n, later)
	}
	if got := tableColumns(t, d.read, "user"); len(got) != 8 {
		t.Errorf("user has %d columns after down, want the reference's 8: %v", len(got), got)
	}
	if after := dump(t, d.read, referenceColumns); !reflect.DeepEqual(before, after) {
		t.Errorf("rows changed by down:\nbefore %v\nafter  %v", before, after)
	}
	if n, _ := d.Pending(ctx); n != later {
		t.Errorf("Pending after down = %d, want %d", n, later)
	}
	if n, err := d.MigrateDown(ctx, 1); err != nil || n != 0 {
		t.Errorf("MigrateDown at baseline = %d, %v; want 0, nil", n, err)
	}
	if err := d.CheckVersion(ctx); err != nil {
		t.Errorf("CheckVersion after down: %v", err)
	}

	if n, err := d.Migrate(ctx); err != nil || n != later {
		t.Fatalf("Migrate after down = %d, %v; want %d", n, err, later)
	}
	if got := tableColumns(t, d.read, "user"); !reflect.DeepEqual(got, wantColumns["user"]) {
		t.Errorf("user columns after up: %v", got)
	}
	if after := dump(t, d.read, referenceColumns); !reflect.DeepEqual(before, after) {
		t.Errorf("rows changed by down+up")
	}
	// Dropped columns come back empty.
	r, err := d.UserByName(ctx, "root")
	if err != nil {
		t.Fatal(err)
	}
	if r.Admin || r.PasswordArgon2id != nil {
		t.Errorf("after down+up: %+v", r)
	}
	if n, err := d.MigrateDown(ctx, later); err != nil || n != later {
		t.Errorf("MigrateDown(%d) = %d, %v; want %d", later, n, err, later)
	}
	if _, ok := schemaSQL(t, d.read, "index")["idx_build_user"]; ok {
		t.Error("idx_build_user still there after rolling back 0003")
	}
}

// migrationCount is the number of embedded migrations, baseline included.
func migrationCount(t *testing.T) int {
	t.Helper()
	ms, err := migrations.Source().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}
