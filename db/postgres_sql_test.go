package db

import "testing"

// BenchmarkPostgresSQL compares translating a page query with the three
// regular expressions every time (as before) with the memo of
// postgresDialect.sql.
func BenchmarkPostgresSQL(b *testing.B) {
	b.Run("regexes", func(b *testing.B) {
		for b.Loop() {
			q := sqlJobScan
			for _, r := range postgresRewrites {
				q = r.re.ReplaceAllString(q, r.to)
			}
		}
	})
	b.Run("memoized", func(b *testing.B) {
		p := &postgresDialect{}
		for b.Loop() {
			p.sql(sqlJobScan)
		}
	})
}

// TestPostgresSQLMemo: the memo answers what the rewrites make of a query.
func TestPostgresSQLMemo(t *testing.T) {
	p := &postgresDialect{}
	want := sqlJobScan
	for _, r := range postgresRewrites {
		want = r.re.ReplaceAllString(want, r.to)
	}
	for range 2 {
		if got := p.sql(sqlJobScan); got != want {
			t.Fatalf("sql(sqlJobScan) = %q, want %q", got, want)
		}
	}
	if got := p.sql(sqlJobHeads); got != postgresQueries[sqlJobHeads] {
		t.Errorf("sql(sqlJobHeads) is not its PostgreSQL version: %q", got)
	}
}
