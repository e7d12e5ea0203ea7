// Package dbtest lets tests outside db check rows with their own SQL,
// through a read-only connection of their own: db itself exports no raw
// pool, and bun stays under db/.
package dbtest

import (
	"database/sql"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/builder-web/builder-web/db"
)

// Reader opens d's database read-only for tb; it is closed when tb ends.
// It sees what was committed, like any other reader. On PostgreSQL it
// reads the same schema as d (the URL's search_path).
func Reader(tb testing.TB, d *db.DB) *bun.DB {
	tb.Helper()
	loc := d.Location()
	var r *bun.DB
	if loc.Postgres() {
		cfg, err := pgx.ParseConfig(loc.URL)
		if err != nil {
			tb.Fatalf("open %s read-only: %v", loc, err)
		}
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
		r = bun.NewDB(stdlib.OpenDB(*cfg), pgdialect.New())
	} else {
		u := url.URL{Path: d.Path()}
		s, err := sql.Open("sqlite3", "file:"+u.EscapedPath()+"?mode=ro&_busy_timeout=5000")
		if err != nil {
			tb.Fatalf("open %s read-only: %v", d.Path(), err)
		}
		r = bun.NewDB(s, sqlitedialect.New())
	}
	tb.Cleanup(func() { r.Close() })
	return r
}
