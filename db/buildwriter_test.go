package db

import (
	"context"
	"fmt"
	"maps"
	"testing"
)

// A BuildWriter skips job_tag updates that would not change the value; a
// changed value must still land, also when the same writer wrote or read
// the old one earlier in its transaction, and the row keeps its id.
func TestBuildWriterJobTags(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	n := 0
	build := func(tags map[string]string) NewBuild {
		n++
		b := fixtureBuild(u.ID, 1)
		b.UUID = fmt.Sprintf("3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9b%02d", n)
		b.Tags = tags
		return b
	}
	check := func(step string, want map[string]string) {
		t.Helper()
		j, err := d.JobByName(ctx, fixtureJob)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.JobTags(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: tags %q, want %q", step, got, want)
		}
	}
	ids := func() string {
		var s string
		if err := d.read.NewRaw("SELECT string_agg(CAST(id AS TEXT) || ':' || value, ',' ORDER BY id) FROM job_tag").
			Scan(ctx, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	insertBuild(t, d, build(map[string]string{"readme.md": "a", "section": "S"}))
	check("first upload", map[string]string{"readme.md": "a", "section": "S"})
	before := ids()
	insertBuild(t, d, build(map[string]string{"readme.md": "a", "section": "S"}))
	if got := ids(); got != before {
		t.Errorf("unchanged tags rewrote job_tag: %s, before %s", got, before)
	}

	// One transaction: read "a", write "b", repeat "b", go back to "a",
	// add a tag.
	err := d.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		w := NewBuildWriter(tx)
		defer w.Close()
		for _, tags := range []map[string]string{
			{"readme.md": "a"}, {"readme.md": "b"}, {"readme.md": "b"}, {"readme.md": "a", "synopsis": "x"},
		} {
			if _, err := w.Insert(ctx, build(tags)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("batch", map[string]string{"readme.md": "a", "section": "S", "synopsis": "x"})

	insertBuild(t, d, build(map[string]string{"readme.md": "c"}))
	check("later upload", map[string]string{"readme.md": "c", "section": "S", "synopsis": "x"})
	if got := ids(); got[:2] != before[:2] {
		t.Errorf("job_tag ids changed: %s, first %s", got, before)
	}
}
