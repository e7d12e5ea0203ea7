// Package pgtest gives each test a database of its own on the backend the
// environment chooses: with BUILDER_WEB_TEST_DATABASE=postgres://… a fresh
// schema in that PostgreSQL database, otherwise SQLite in a temp dir as
// always. scripts/pg-test-cluster starts a throw-away cluster for it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the PostgreSQL database the tests use; unset, they use SQLite.
const Env = "BUILDER_WEB_TEST_DATABASE"

// Enabled reports whether the tests run against PostgreSQL.
func Enabled() bool { return os.Getenv(Env) != "" }

// Database returns the --database value for a fresh, empty database of
// tb's own: "" (SQLite in the data directory) unless Env is set.
func Database(tb testing.TB) string {
	tb.Helper()
	if !Enabled() {
		return ""
	}
	return Postgres(tb)
}

// Postgres returns the URL of a fresh, empty schema in Env's database,
// dropped when tb ends; it skips tb when Env is unset. A schema per test is
// much cheaper than CREATE DATABASE (which copies a template), and the
// URL's search_path makes it the only one the test's connections see.
func Postgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		tb.Skipf("%s is not set: no PostgreSQL to test against (scripts/pg-test-cluster start DIR)", Env)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	exec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { exec(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(tb testing.TB, dsn, stmt string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

// SQLiteOnly skips tb on PostgreSQL: it tests something only SQLite has
// (its file, its locks, its query plans).
func SQLiteOnly(tb testing.TB, what string) {
	tb.Helper()
	if Enabled() {
		tb.Skipf("SQLite only: %s", what)
	}
}
