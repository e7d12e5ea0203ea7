// Package migrations holds builder-web's schema migrations as sql-migrate files,
// embedded into the binaries so that a deployed server can migrate its database
// without the source tree.
//
// The files here are SQLite's; postgres/ holds their PostgreSQL twins, one
// file per step with the same name, so that `builder-migrations status`
// lists the same steps on both backends.
//
// 0001_baseline.sql creates the reference's schema version 18 exactly; every later
// file only adds tables, nullable columns or indices so that the reference
// (OCaml builder-web) can still open the database. PRAGMA user_version stays 18.
package migrations

import (
	"embed"

	migrate "github.com/rubenv/sql-migrate"
)

// TableName is the table in which sql-migrate records applied migrations. It
// carries our project's name so that it cannot collide with anything the
// reference or another tool creates in the same file.
const TableName = "builder_web_migrations"

// Baseline is the id of the migration that creates the reference's schema 18.
// It is recorded (not run) when an existing reference database is adopted, and
// it is never rolled back.
const Baseline = "0001_baseline.sql"

//go:embed *.sql postgres/*.sql
var files embed.FS

// Source returns the embedded SQLite migrations in the form sql-migrate
// reads them.
func Source() migrate.MigrationSource {
	return migrate.EmbedFileSystemMigrationSource{FileSystem: files, Root: "."}
}

// PostgresSource returns the embedded PostgreSQL migrations.
func PostgresSource() migrate.MigrationSource {
	return migrate.EmbedFileSystemMigrationSource{FileSystem: files, Root: "postgres"}
}

// Set returns the sql-migrate configuration that every caller must use, so
// that all of them agree on the table name.
func Set() migrate.MigrationSet {
	return migrate.MigrationSet{TableName: TableName}
}
