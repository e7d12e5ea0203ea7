package db

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
)

// tableRows renders every row of a table as text, in a fixed order.
func tableRows(t *testing.T, q bun.IDB, query string) []string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = fmt.Sprintf("%x", b)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

var copyChecks = []string{
	`SELECT id, username, password_hash, password_salt, scrypt_n, restricted, admin, disabled_at FROM "user" ORDER BY id`,
	`SELECT id, name FROM job ORDER BY id`,
	`SELECT id, tag FROM tag ORDER BY id`,
	`SELECT id, uuid, start_d, start_ps, result_code, platform, main_binary, "user", job, input_id FROM build ORDER BY id`,
	`SELECT id, filepath, sha256, size, build FROM build_artifact ORDER BY id`,
	`SELECT id, "user", job FROM access_list ORDER BY id`,
	`SELECT id, tag, value, job FROM job_tag ORDER BY id`,
	`SELECT job, platform, build FROM latest_build ORDER BY job, platform`,
	`SELECT job, platform, input_id, builds, outputs, latest FROM repro_group ORDER BY job, platform, input_id`,
}

// TestCopyDatabase copies a SQLite database into an empty one of the test
// backend and back into a new SQLite file: every row, with its id, and the
// tables the triggers keep come out the same; new ids continue after the
// copied ones; a destination with data is refused.
func TestCopyDatabase(t *testing.T) {
	ctx := t.Context()
	src := openPath(t, filepath.Join(t.TempDir(), "src.sqlite3"), true)
	if _, err := src.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := addFixtureUser(t, src)
	for n := 1; n <= 2; n++ {
		b := fixtureBuild(u.ID, n)
		b.InputID = sum([]byte("input"))
		b.Tags = map[string]string{"section": "tests", "synopsis": fmt.Sprint("build ", n)}
		insertBuild(t, src, b)
	}
	if err := src.AccessAdd(ctx, fixtureUser, fixtureJob); err != nil {
		t.Fatal(err)
	}

	mid := newDB(t) // PostgreSQL with BUILDER_WEB_TEST_DATABASE
	var seen []string
	counts, err := src.CopyTo(ctx, mid, func(table string, done, total int64) {
		seen = append(seen, fmt.Sprintf("%s %d/%d", table, done, total))
	})
	if err != nil {
		t.Fatalf("CopyTo %s: %v", mid.Location(), err)
	}
	if counts["build"] != 2 || counts["build_artifact"] != 2 || counts["user"] != 1 || !slices.Contains(seen, "build 2/2") {
		t.Errorf("counts %v, progress %v", counts, seen)
	}
	back := openPath(t, filepath.Join(t.TempDir(), "back.sqlite3"), true)
	if _, err := back.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := mid.CopyTo(ctx, back, nil); err != nil {
		t.Fatalf("CopyTo back: %v", err)
	}
	for _, q := range copyChecks {
		want := tableRows(t, src.read, q)
		if len(want) == 0 {
			t.Errorf("no rows to compare: %s", q)
		}
		for _, d := range []*DB{mid, back} {
			if got := tableRows(t, d.read, q); !slices.Equal(got, want) {
				t.Errorf("%s on %s:\n got %v\nwant %v", q, d.Location(), got, want)
			}
		}
	}
	if _, err := src.CopyTo(ctx, mid, nil); err == nil {
		t.Error("a second copy into the same database was not refused")
	}
	if mid.Location().Postgres() {
		// The planner knows the copied rows at once (copy ends with
		// ANALYZE): without statistics it planned the pages for empty
		// tables.
		var n float64
		if err := mid.read.NewRaw("SELECT reltuples FROM pg_class WHERE oid = 'build'::regclass").Scan(ctx, &n); err != nil || n != 2 {
			t.Errorf("the planner's row estimate of build after the copy = %v, %v; want 2", n, err)
		}
	}
	// The build table's triggers work again after the copy: a newer build
	// becomes its pair's latest and joins its reproducibility group.
	b := fixtureBuild(u.ID, 2)
	b.UUID = strings.Replace(uuid2, "a", "b", 1)
	b.Start, b.Finish = b.Start.Add(time.Hour), b.Finish.Add(time.Hour)
	b.InputID = sum([]byte("input"))
	id := insertBuild(t, mid, b)
	var latest, builds int64
	if err := mid.read.NewRaw("SELECT build FROM latest_build").Scan(ctx, &latest); err != nil || latest != id {
		t.Errorf("latest_build after a new build = %d, %v; want build %d", latest, err, id)
	}
	if err := mid.read.NewRaw("SELECT builds FROM repro_group").Scan(ctx, &builds); err != nil || builds != 3 {
		t.Errorf("repro_group after a new build counts %d builds, %v; want 3", builds, err)
	}
	// New rows get new ids after the copied ones.
	other := User{Username: "other", PasswordHash: []byte{}, PasswordSalt: []byte{}}
	if id, err := mid.AddUser(ctx, other); err != nil || id <= u.ID {
		t.Errorf("AddUser after the copy = %d, %v; want an id after %d", id, err, u.ID)
	}
}
