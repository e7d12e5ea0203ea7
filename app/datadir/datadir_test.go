package datadir

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestModes(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := Open(ctx, dir, Options{}); err == nil {
		t.Fatal("Current opened a missing data directory")
	}
	data, err := Open(ctx, dir, Options{Mode: Migrated})
	if err != nil {
		t.Fatal(err)
	}
	if !data.Report.Created || len(data.Report.Applied) == 0 {
		t.Errorf("first open: %+v, want created with migrations applied", data.Report)
	}
	// One migration back: operator commands (and the server's
	// --no-migrate) refuse, builder-migrations still opens it.
	if _, err := data.DB.MigrateDown(ctx, 1); err != nil {
		t.Fatal(err)
	}
	data.Close()
	if _, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "builder-db migrate") {
		t.Errorf("Current with a pending migration: %v, want a hint to migrate", err)
	}
	for _, m := range []Mode{AsIs} {
		d, err := Open(ctx, dir, Options{Mode: m})
		if err != nil {
			t.Errorf("mode %d: %v", m, err)
			continue
		}
		d.Close()
	}
	data, err = Open(ctx, dir, Options{Mode: Migrated})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	var out bytes.Buffer
	data.Report.Write(&out)
	if data.Report.Created || len(data.Report.Applied) != 1 || !strings.HasPrefix(out.String(), "applied migration ") {
		t.Errorf("second migrate: %+v, printed %q", data.Report, out.String())
	}
}
