package db

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	migrate "github.com/rubenv/sql-migrate"
	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/internal/testkit/pgtest"
)

// openPostgresTest opens a fresh PostgreSQL schema of the test's own; the
// test is skipped without BUILDER_WEB_TEST_DATABASE.
func openPostgresTest(t *testing.T) *DB {
	t.Helper()
	loc, err := ParseLocation(pgtest.Postgres(t), "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenLocation(t.Context(), loc, Options{})
	if err != nil {
		t.Fatalf("OpenLocation: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// pgColumns lists a PostgreSQL table's column names in order.
func pgColumns(t *testing.T, q bun.IDB, table string) []string {
	t.Helper()
	var names []string
	err := q.NewRaw(`SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table).Scan(t.Context(), &names)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// sqliteColumns lists a SQLite table's column names in order.
func sqliteColumns(t *testing.T, q bun.IDB, table string) []string {
	var names []string
	for _, c := range tableColumns(t, q, table) {
		names = append(names, c.Name)
	}
	return names
}

// ourTables are the tables of a migrated database on both backends,
// without each backend's own bookkeeping (sqlite_sequence, schema_header).
func ourTables(t *testing.T, d *DB) []string {
	t.Helper()
	names, err := d.dialect.tables(t.Context(), d.read)
	if err != nil {
		t.Fatal(err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return n == "sqlite_sequence" || n == "schema_header" })
	slices.Sort(names)
	return names
}

// TestPostgresMigrations: up from an empty database, down to the
// baseline, up again, with the same tables and columns as SQLite's
// migrations give at each step.
func TestPostgresMigrations(t *testing.T) {
	ctx := t.Context()
	pg := openPostgresTest(t)
	lite := openPath(t, filepath.Join(t.TempDir(), "builder.sqlite3"), true)
	all := migrationCount(t)
	later := all - 1

	if err := pg.CheckVersion(ctx); err == nil {
		t.Fatal("CheckVersion of an empty database: no error")
	}
	for _, d := range []*DB{pg, lite} {
		if n, err := d.Migrate(ctx); err != nil || n != all {
			t.Fatalf("%s: Migrate = %d, %v; want %d", d.Location(), n, err, all)
		}
	}
	same := func(step string) {
		t.Helper()
		pt, st := ourTables(t, pg), ourTables(t, lite)
		if !slices.Equal(pt, st) {
			t.Fatalf("%s: PostgreSQL tables %v, SQLite %v", step, pt, st)
		}
		for _, table := range pt {
			if pc, sc := pgColumns(t, pg.read, table), sqliteColumns(t, lite.read, table); !slices.Equal(pc, sc) {
				t.Errorf("%s: %s columns on PostgreSQL %v, on SQLite %v", step, table, pc, sc)
			}
		}
	}
	same("up")
	if err := pg.CheckVersion(ctx); err != nil {
		t.Errorf("CheckVersion after up: %v", err)
	}
	if n, err := pg.Pending(ctx); err != nil || n != 0 {
		t.Errorf("Pending after up = %d, %v", n, err)
	}
	if got := tags(t, pg); !slices.Equal(got, tags(t, lite)) {
		t.Errorf("tags on PostgreSQL %v, on SQLite %v", got, tags(t, lite))
	}

	for _, d := range []*DB{pg, lite} {
		if n, err := d.MigrateDown(ctx, 100); err != nil || n != later {
			t.Fatalf("%s: MigrateDown = %d, %v; want %d (never the baseline)", d.Location(), n, err, later)
		}
	}
	same("down")
	if got := pgColumns(t, pg.read, "user"); len(got) != 8 {
		t.Errorf("user has %d columns after down, want the reference's 8: %v", len(got), got)
	}
	if n, err := pg.Pending(ctx); err != nil || n != later {
		t.Errorf("Pending after down = %d, %v; want %d", n, err, later)
	}
	if err := pg.CheckVersion(ctx); err != nil {
		t.Errorf("CheckVersion after down: %v", err)
	}

	if n, err := pg.Migrate(ctx); err != nil || n != later {
		t.Fatalf("Migrate after down = %d, %v; want %d", n, err, later)
	}
	if _, err := lite.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	same("up again")
	states, err := pg.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if !s.Applied || s.AppliedAt.IsZero() {
			t.Errorf("%s after up again: applied %v at %v", s.ID, s.Applied, s.AppliedAt)
		}
	}
}

// TestPostgresMigrationTwins: every SQLite migration has a PostgreSQL twin
// of the same name, so status lists the same steps on both.
func TestPostgresMigrationTwins(t *testing.T) {
	lite, err := sqliteDialect{}.migrations().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := (&postgresDialect{}).migrations().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ms []*migrate.Migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Id)
		}
		return out
	}
	if a, b := ids(lite), ids(pg); !slices.Equal(a, b) {
		t.Errorf("SQLite migrations %v, PostgreSQL %v", a, b)
	}
	for _, m := range pg[1:] {
		if len(m.Up) == 0 || len(m.Down) == 0 {
			t.Errorf("%s: %d up and %d down statements; every later migration needs both", m.Id, len(m.Up), len(m.Down))
		}
	}
}

// TestDataVersionSeenByOtherHandle: a change committed through one handle
// (builder-db, another node) raises the data version that another handle
// of the same database reads, on either backend; a read does not.
func TestDataVersionSeenByOtherHandle(t *testing.T) {
	ctx := t.Context()
	server := newDB(t)
	tool, err := OpenLocation(ctx, server.Location(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tool.Close()
	version := func() int64 {
		t.Helper()
		v, err := server.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	u := addFixtureUser(t, tool)
	v1 := version()
	if v1 <= v0 {
		t.Fatalf("data version %d after adding a user elsewhere, was %d", v1, v0)
	}
	if _, err := tool.UserByName(ctx, u.Username); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v1 {
		t.Errorf("data version %d after a read, want %d", v, v1)
	}
	insertBuild(t, tool, fixtureBuild(u.ID, 1))
	if v := version(); v <= v1 {
		t.Errorf("data version %d after a build elsewhere, was %d", v, v1)
	}
}

// TestConcurrentNewJob: two writers (two nodes) store builds of the same
// new job at once. The second one waits for the first (the writers' lock,
// lockWriters), then finds the job the first committed: its build is
// stored under that job instead of failing.
func TestConcurrentNewJob(t *testing.T) {
	ctx := t.Context()
	a := newDB(t)
	u := addFixtureUser(t, a)
	b, err := OpenLocation(ctx, a.Location(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	started := make(chan struct{})
	second := make(chan error, 1)
	err = a.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		nb := fixtureBuild(u.ID, 1)
		nb.Tags = map[string]string{"section": "one", "brand-new-tag": "x"}
		if _, err := a.InsertBuild(ctx, tx, nb); err != nil {
			return err
		}
		go func() {
			close(started)
			second <- b.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
				nb := fixtureBuild(u.ID, 2)
				nb.Tags = map[string]string{"section": "two", "brand-new-tag": "y"}
				_, err := b.InsertBuild(ctx, tx, nb)
				return err
			})
		}()
		<-started
		time.Sleep(300 * time.Millisecond) // the second writer reaches the job's insert and waits
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the second writer of the new job: %v", err)
	}
	tags, err := a.JobTags(ctx, 1)
	if err != nil || tags["section"] != "two" || tags["brand-new-tag"] != "y" {
		t.Errorf("job tags %v, %v; want the second writer's", tags, err)
	}
	var jobs int
	if err := a.read.NewRaw("SELECT count(*) FROM job").Scan(ctx, &jobs); err != nil || jobs != 1 {
		t.Errorf("%d jobs (%v), want 1", jobs, err)
	}
}

// TestPostgresConcurrentMigrate: two nodes starting at once on an empty
// PostgreSQL database both migrate it; one runs the migrations, the other
// waits and finds none pending, and neither fails.
func TestPostgresConcurrentMigrate(t *testing.T) {
	ctx := t.Context()
	loc, err := ParseLocation(pgtest.Postgres(t), "")
	if err != nil {
		t.Fatal(err)
	}
	var dbs [2]*DB
	for i := range dbs {
		if dbs[i], err = OpenLocation(ctx, loc, Options{}); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	var ran [2]int
	errs := make(chan error, len(dbs))
	for i, d := range dbs {
		go func() {
			var err error
			ran[i], err = d.Migrate(ctx)
			errs <- err
		}()
	}
	for range dbs {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
	if n, err := dbs[0].Pending(ctx); err != nil || n != 0 {
		t.Errorf("pending after both migrated: %d, %v; want 0", n, err)
	}
	if ran[0] != 0 && ran[1] != 0 {
		t.Errorf("both nodes ran migrations (%d and %d), want one of them none", ran[0], ran[1])
	}
}
