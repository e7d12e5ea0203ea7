package export_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/export"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

const hvt = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18"

func setup(t *testing.T) (*db.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	data, err := datadir.Open(ctx, dir, datadir.Options{Mode: datadir.Migrated})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { data.Close() })
	d := data.DB
	if _, err := accounts.Create(ctx, d, "op", "op-password", false, false); err != nil {
		t.Fatal(err)
	}
	u, err := ops.Uploader(ctx, d, "op")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ops.Include(ctx, &ingest.Ingester{DB: d, Store: st}, u, []string{testenv.Vector(t, "success_hvt.full")}, nil)
	if err != nil || len(rep.Failed) != 0 {
		t.Fatalf("include: %v %+v", err, rep.Failed)
	}
	return d, st
}

func TestWriteBuild(t *testing.T) {
	d, st := setup(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := export.WriteBuild(ctx, &buf, d, st, strings.ToUpper(hvt)); err != nil {
		t.Fatal(err)
	}
	e, err := builder.Decode(buf.Bytes())
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if builder.UUIDString(e.UUID) != hvt || e.Job.Name != "hello-hvt" || len(e.Files) != 4 {
		t.Errorf("record: uuid %s, job %s, %d files; want %s, hello-hvt, 4",
			builder.UUIDString(e.UUID), e.Job.Name, len(e.Files), hvt)
	}

	for _, tc := range []struct {
		uuid string
		want error
	}{
		{"nonsense", export.ErrBadUUID},
		{"3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a1", export.ErrBadUUID},
		{"3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a19", export.ErrBuildNotFound},
	} {
		if err := export.WriteBuild(ctx, &bytes.Buffer{}, d, st, tc.uuid); !errors.Is(err, tc.want) {
			t.Errorf("WriteBuild(%q) = %v, want %v", tc.uuid, err, tc.want)
		}
	}
}

// A damaged data directory is an error before anything is written.
func TestBuildChecksArtifacts(t *testing.T) {
	d, st := setup(t)
	ctx := context.Background()
	b, err := d.BuildByUUID(ctx, hvt)
	if err != nil {
		t.Fatal(err)
	}
	p := st.ArtifactPath(b.Main.SHA256)
	if err := os.Truncate(p, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := export.Build(ctx, d, st, hvt); err == nil || !strings.Contains(err.Error(), "the database says") {
		t.Errorf("truncated artifact: %v", err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteBuild(ctx, &buf, d, st, hvt); err == nil || buf.Len() != 0 {
		t.Errorf("missing artifact: err %v, %d bytes written", err, buf.Len())
	}
}
