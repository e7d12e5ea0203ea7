package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
	"github.com/builder-web/builder-web/migrations"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb strings.Builder
	code := run(args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := runCmd(t, args...)
	if r.code != 0 {
		t.Fatalf("builder-migrations %q: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

// populated returns a data directory holding two builds.
func populated(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	data, err := datadir.Open(ctx, dir, datadir.Options{Mode: datadir.Migrated})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	d := data.DB
	if _, err := accounts.Create(ctx, d, "op", "op-password", false, false); err != nil {
		t.Fatal(err)
	}
	st, err := store.New(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ops.Uploader(ctx, d, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ops.Include(ctx, &ingest.Ingester{DB: d, Store: st}, u,
		[]string{testenv.Vector(t, "success_hvt.full"), testenv.Vector(t, "failed_exit1.full")}, nil)
	if err != nil || len(rep.Failed) != 0 {
		t.Fatalf("include: %v %+v", err, rep.Failed)
	}
	return dir
}

// statusLines maps each migration to "applied" or "pending".
func statusLines(t *testing.T, dir string) map[string]string {
	t.Helper()
	r := mustRun(t, "status", "-d", dir)
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("status line %q", line)
		}
		out[f[0]] = f[1]
	}
	return out
}

func TestStatusDownUp(t *testing.T) {
	dir := populated(t)
	ms, err := migrations.Source().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1].Id

	st := statusLines(t, dir)
	if len(st) != len(ms) {
		t.Fatalf("status lists %d migrations, want %d", len(st), len(ms))
	}
	for _, m := range ms {
		if st[m.Id] != "applied" {
			t.Errorf("%s is %q, want applied", m.Id, st[m.Id])
		}
	}

	r := mustRun(t, "-d", dir, "down", "1")
	if r.stdout != "rolled back "+last+"\n" {
		t.Errorf("down 1 printed %q", r.stdout)
	}
	if st := statusLines(t, dir); st[last] != "pending" || st[migrations.Baseline] != "applied" {
		t.Errorf("after down 1: %v", st)
	}

	r = mustRun(t, "up", "--datadir", dir)
	if r.stdout != "applied migration "+last+"\n" {
		t.Errorf("up printed %q", r.stdout)
	}
	if r = mustRun(t, "up", "-d", dir); r.stdout != "database "+filepath.Join(dir, "builder.sqlite3")+" is up to date\n" {
		t.Errorf("second up printed %q", r.stdout)
	}

	// Rolling back everything stops at the baseline; the data stays.
	r = mustRun(t, "down", "100", "-d", dir)
	if strings.Contains(r.stdout, "rolled back "+migrations.Baseline) || !strings.Contains(r.stdout, "never rolled back") {
		t.Errorf("down 100 printed %q", r.stdout)
	}
	st = statusLines(t, dir)
	for _, m := range ms[1:] {
		if st[m.Id] != "pending" {
			t.Errorf("after down 100 %s is %q", m.Id, st[m.Id])
		}
	}
	mustRun(t, "up", "-d", dir)
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(dir, store.DBFile), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, uuid := range []string{"3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18", "0b9d6e4f-2c71-4e38-a5d0-7f13c8b2e964"} {
		if _, err := d.BuildByUUID(ctx, uuid); err != nil {
			t.Errorf("build %s after the round trip: %v", uuid, err)
		}
	}
	if _, err := d.UserByName(ctx, "op"); err != nil {
		t.Errorf("user op after the round trip: %v", err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "-d", dir}, "builder-db migrate"},
		{[]string{"down", "-d", dir}, "builder-db migrate"},
		{[]string{"-d", dir}, "missing command"},
		{[]string{"sideways", "-d", dir}, `unknown command "sideways"`},
		{[]string{"down", "0", "-d", dir}, "positive number"},
		{[]string{"down", "x", "-d", dir}, "positive number"},
		{[]string{"up", "3", "-d", dir}, "unexpected argument"},
	} {
		r := runCmd(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("builder-migrations %q: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"status", "-h"}} {
		if r := runCmd(t, args...); r.code != 0 || !strings.Contains(r.stdout, "Usage: builder-migrations") {
			t.Errorf("builder-migrations %q: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}
