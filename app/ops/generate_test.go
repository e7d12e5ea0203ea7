package ops

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/internal/generate"
)

// Generate takes shortcuts (records from memory, artifacts that are stored
// already never written, batched commits) but must leave exactly what
// uploading the same records one by one leaves: the same rows in every
// table the pages read, including what the triggers maintain, and the
// same files with the same bytes.
func TestGenerateMatchesUploads(t *testing.T) {
	g := generate.New(generate.Options{Jobs: 3, Platforms: 2, Builds: 12, Seed: 9,
		End: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})

	genDir, genDB, _, genIn, genU := testDir(t)
	if _, err := Generate(t.Context(), genIn, genU, g, 3, nil); err != nil {
		t.Fatal(err)
	}
	upDir, upDB, _, upIn, upU := testDir(t)
	for i := range g.Count() {
		rec, err := g.Encode(i)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := upIn.Ingest(t.Context(), bytes.NewReader(rec), upU); err != nil {
			t.Fatalf("upload record %d: %v", i, err)
		}
	}

	// Tag and job_tag ids follow the iteration order of a Go map, which
	// differs between any two uploads: those rows are compared by name.
	for _, q := range []string{"SELECT * FROM job", "SELECT * FROM build", "SELECT * FROM build_artifact",
		"SELECT * FROM repro_group", "SELECT * FROM latest_build",
		"SELECT jt.job, t.tag, jt.value FROM job_tag jt JOIN tag t ON t.id = jt.tag"} {
		got, want := dumpRows(t, genDB, q), dumpRows(t, upDB, q)
		if got != want {
			t.Errorf("%s after generate:\n%s\nafter uploads:\n%s", q, clip(got), clip(want))
		}
	}
	got, want := dumpFiles(t, genDir), dumpFiles(t, upDir)
	if got != want {
		t.Errorf("files after generate:\n%s\nafter uploads:\n%s", clip(got), clip(want))
	}
	if !strings.Contains(got, store.ArtifactsDir+"/") || !strings.Contains(got, "/console.txt") {
		t.Errorf("no files compared:\n%s", clip(got))
	}
}

// dumpRows prints every row of a query, sorted.
func dumpRows(t *testing.T, d *db.DB, query string) string {
	t.Helper()
	rows, err := dbtest.Reader(t, d).QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%v\n", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Errorf("%s: no rows", query)
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// dumpFiles lists every file of a data directory but the database, with
// its length and SHA-256.
func dumpFiles(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, store.DBFile) {
			return nil
		}
		if rel == store.StagingDir {
			// Scratch space: the node's _staging/<node>/ exists once it
			// spooled an upload, which generated records skip.
			return filepath.SkipDir
		}
		if e.IsDir() {
			fmt.Fprintf(&b, "%s/\n", rel)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", rel, len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

// A generate run that was killed leaves files no row references: build
// directories it wrote before their commit (and artifacts, which are
// content-addressed and simply referenced again). Rerunning it must store
// every build and leave a data directory verify-data-dir finds clean.
func TestGenerateRerunAfterCrash(t *testing.T) {
	g := generate.New(generate.Options{Jobs: 2, Platforms: 1, Builds: 3, Seed: 4,
		End: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
	dir, d, _, in, u := testDir(t)
	// What the killed run left of record 0: a half-written console.
	rec := g.Record(0)
	left := filepath.Join(dir, rec.Header.Job.Name, builder.UUIDString(rec.Header.UUID))
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "console.txt"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Generate(t.Context(), in, u, g, 2, nil)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if rep.Stored != g.Count() {
		t.Errorf("stored %d builds, want %d", rep.Stored, g.Count())
	}
	if b, err := os.ReadFile(filepath.Join(left, "console.txt")); err != nil || string(b) == "half" {
		t.Errorf("console of record 0 = %q, %v; want the generated console", clip(string(b)), err)
	}
	if _, err := VerifyDataDir(t.Context(), d, dir, func(f Finding) { t.Errorf("finding: %s", f) }, nil); err != nil {
		t.Fatal(err)
	}
}

// Writing in place must never touch a stored build: a record whose build
// is stored (another run of the same seed committed it since the check)
// is refused with its directory left as it is.
func TestPrepareExecKeepsStoredBuild(t *testing.T) {
	g := generate.New(generate.Options{Jobs: 1, Platforms: 1, Builds: 2, Seed: 4,
		End: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)})
	dir, _, _, in, u := testDir(t)
	if _, err := Generate(t.Context(), in, u, g, 1, nil); err != nil {
		t.Fatal(err)
	}
	rec := g.Record(0)
	console := filepath.Join(dir, rec.Header.Job.Name, builder.UUIDString(rec.Header.UUID), "console.txt")
	if err := os.WriteFile(console, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := in.PrepareExec(t.Context(), rec, u)
	if err == nil {
		p.Abort()
		t.Fatal("PrepareExec of a stored build succeeded, want a conflict")
	}
	if b, err := os.ReadFile(console); err != nil || string(b) != "kept" {
		t.Errorf("stored build's console = %q, %v; want it untouched", clip(string(b)), err)
	}
}
