// Package dbtest lets tests outside db check rows with their own SQL,
// through a read-only connection of their own: db itself exports no raw
// pool, and bun stays under db/.
package dbtest

import (
	"database/sql"
	"net/url"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/builder-web/builder-web/db"
)

// Reader opens d's database read-only for tb; it is closed when tb ends.
// It sees what was committed, like any other reader.
func Reader(tb testing.TB, d *db.DB) *bun.DB {
	tb.Helper()
	u := url.URL{Path: d.Path()}
	s, err := sql.Open("sqlite3", "file:"+u.EscapedPath()+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		tb.Fatalf("open %s read-only: %v", d.Path(), err)
	}
	r := bun.NewDB(s, sqlitedialect.New())
	tb.Cleanup(func() { r.Close() })
	return r
}
