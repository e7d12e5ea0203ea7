package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	r := mustRun(t, "", "generate", "-d", dir, "--jobs", "2", "--platforms", "2", "--builds", "3", "--seed", "7")
	if !strings.Contains(r.stdout, "created database") || !strings.Contains(r.stdout, "generated 12 builds in ") ||
		!strings.Contains(r.stdout, "builds/s)") {
		t.Errorf("generate printed %q", r.stdout)
	}
	d := openDB(t, dir)
	var n int
	if err := d.Read.NewRaw("SELECT count(*) FROM build").Scan(ctx, &n); err != nil || n != 12 {
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
	if err := d.Read.NewRaw("SELECT count(*) FROM build JOIN user ON user.id = build.user WHERE username = 'alice'").
		Scan(ctx, &n); err != nil || n != 2 {
		t.Errorf("%d builds of alice (%v), want 2", n, err)
	}
	wantFail(t, "unknown user: nobody", "", "generate", "-d", dir, "--jobs", "1", "--platforms", "1", "--builds", "1", "--user", "nobody")
	wantFail(t, "must be positive", "", "generate", "-d", dir, "--jobs", "0")
}
