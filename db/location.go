package db

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Location is where a database lives: a SQLite file (the default, in the
// data directory) or a PostgreSQL database named by a URL. ParseLocation
// is the one place that reads the --database value.
type Location struct {
	// Path is the SQLite file; empty for PostgreSQL.
	Path string
	// URL is the postgres:// URL; empty for SQLite.
	URL string
}

// ParseLocation reads a --database value. Empty means SQLite at
// sqlitePath, exactly as without the flag; postgres:// (or postgresql://)
// is a PostgreSQL database. Anything else is refused, so that a mistyped
// URL never silently creates a SQLite file somewhere.
func ParseLocation(database, sqlitePath string) (Location, error) {
	if database == "" {
		return Location{Path: sqlitePath}, nil
	}
	u, err := url.Parse(database)
	if err != nil {
		// url's error repeats the URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Location{}, fmt.Errorf("--database: not a URL: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
	default:
		return Location{}, fmt.Errorf("--database: unsupported scheme %q: use postgres://USER@HOST/DB, or no --database for SQLite in the data directory", u.Scheme)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return Location{}, errors.New("--database: the URL names no host (postgres://USER@HOST:PORT/DB)")
	}
	return Location{URL: database}, nil
}

// Postgres reports whether the database is PostgreSQL.
func (l Location) Postgres() bool { return l.URL != "" }

// String names the database for messages and logs: the file, or the URL
// without its password.
func (l Location) String() string {
	if l.URL == "" {
		return l.Path
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// ParseCopyTarget reads the --to of `builder-db copy-database`: a
// postgres:// URL, or the path of a new SQLite file.
func ParseCopyTarget(to string) (Location, error) {
	if to == "" {
		return Location{}, errors.New("--to: missing: a postgres:// URL or the path of a new SQLite file")
	}
	if strings.Contains(to, "://") {
		return ParseLocation(to, "")
	}
	return Location{Path: to}, nil
}
