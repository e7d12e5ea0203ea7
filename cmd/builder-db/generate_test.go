package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/db/dbtest"
)

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	r := mustRun(t, "", "generate", "-d", dir, "--jobs", "2", "--platforms", "2", "--builds", "3", "--seed", "7")
	if !strings.Contains(r.stdout, "created database") || !strings.Contains(r.stdout, "generated 12 builds in ") ||
		!strings.Contains(r.stdout, "builds/s); writer ") || !strings.Contains(r.stdout, " ms per build (") {
		t.Errorf("generate printed %q", r.stdout)
	}
	// What generate stores passes both checks, as uploaded builds do.
	mustRun(t, "", "verify-data-dir", "-d", dir)
	mustRun(t, "", "verify-cache-dir", "-d", dir)
	d := openDB(t, dir)
	var n int
	if err := dbtest.Reader(t, d).NewRaw("SELECT count(*) FROM build").Scan(ctx, &n); err != nil || n != 12 {
		t.Errorf("%d builds stored (%v), want 12", n, err)
	}
	u, err := d.UserByName(ctx, "generate")
	if err != nil {
		t.Fatal(err)
	}
	if u.Restricted || !u.Disabled() {
		t.Errorf("user generate = %+v; want unrestricted and without password", u)
	}

	// Repeating the run stores nothing new.
	r = mustRun(t, "", "generate", "-d", dir, "--jobs", "2", "--platforms", "2", "--builds", "3", "--seed", "7")
	if !strings.Contains(r.stdout, "generated 0 builds") || !strings.Contains(r.stdout, "12 stored already") {
		t.Errorf("second generate printed %q", r.stdout)
	}

	// Another seed adds builds, attributed to the named user.
	mustRun(t, "password\n", "user-add", "alice", "--unrestricted", "-d", dir)
	mustRun(t, "", "generate", "-d", dir, "--jobs", "1", "--platforms", "1", "--builds", "2", "--seed", "8", "--user", "alice")
	if err := dbtest.Reader(t, d).NewRaw("SELECT count(*) FROM build JOIN user ON user.id = build.user WHERE username = 'alice'").
		Scan(ctx, &n); err != nil || n != 2 {
		t.Errorf("%d builds of alice (%v), want 2", n, err)
	}
	wantFail(t, "unknown user: nobody", "", "generate", "-d", dir, "--jobs", "1", "--platforms", "1", "--builds", "1", "--user", "nobody")
	wantFail(t, "must be positive", "", "generate", "-d", dir, "--jobs", "0")
}

// --end pins the times: the newest build finishes then, and two runs with
// the same flags store the same builds (so an interrupted run can be
// resumed with the --end it printed).
func TestGenerateEnd(t *testing.T) {
	ctx := context.Background()
	args := []string{"generate", "--jobs", "2", "--platforms", "1", "--builds", "3", "--end", "2026-03-01T12:00:00.250Z"}
	var dumps [2]string
	for i := range dumps {
		dir := filepath.Join(t.TempDir(), "data")
		r := mustRun(t, "", append(args, "-d", dir)...)
		if !strings.Contains(r.stdout, "the newest finishing at --end 2026-03-01T12:00:00.25Z") {
			t.Errorf("generate printed %q", r.stdout)
		}
		d := openDB(t, dir)
		var newest string
		if err := dbtest.Reader(t, d).NewRaw("SELECT uuid FROM build ORDER BY finish_d DESC, finish_ps DESC LIMIT 1").Scan(ctx, &newest); err != nil {
			t.Fatal(err)
		}
		b, err := d.BuildByUUID(ctx, newest)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 1, 12, 0, 0, 250e6, time.UTC); !b.Finish().Equal(want) {
			t.Errorf("newest build finished %v, want %v", b.Finish(), want)
		}
		if err := dbtest.Reader(t, d).NewRaw("SELECT group_concat(uuid || start_d || start_ps || finish_d || finish_ps, ',') FROM build").
			Scan(ctx, &dumps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if dumps[0] != dumps[1] || dumps[0] == "" {
		t.Errorf("two runs with the same --end differ:\n%s\n%s", dumps[0], dumps[1])
	}
	wantFail(t, "--end: want an RFC 3339 time", "", "generate", "-d", filepath.Join(t.TempDir(), "x"), "--end", "yesterday")
}
