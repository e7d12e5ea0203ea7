package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/password"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"golang.org/x/crypto/scrypt"
)

// newDB opens a fresh, migrated database: SQLite in a temporary
// directory, or with BUILDER_WEB_TEST_DATABASE a PostgreSQL schema of the
// test's own.
func newDB(t *testing.T) *DB {
	t.Helper()
	var d *DB
	if pgtest.Enabled() {
		d = openPostgresTest(t)
	} else {
		d = openPath(t, filepath.Join(t.TempDir(), "builder.sqlite3"), true)
	}
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return d
}

func openPath(t *testing.T, path string, create bool) *DB {
	t.Helper()
	d, err := Open(t.Context(), path, Options{Create: create})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// rawExec runs statements on a file without our Open, as another program
// (the reference) would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	c, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, s := range stmts {
		if _, err := c.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// The fixture of the reference's test_builder_db.ml (reference §13.3).
const (
	fixtureUser     = "test"
	fixturePassword = "testtest"
	fixtureJob      = "test-job"
	fixturePlatform = "exotic-os"
	fixtureBinPath  = "bin/hello.sh"
	uuid1           = "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a01"
	uuid2           = "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a02"
)

var (
	binary1 = []byte("#!/bin/sh\necho Hello, World\n")
	binary2 = []byte("#!/bin/sh\necho Hello, World 2\n")
)

func sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// addFixtureUser stores test/testtest as the reference's user-add does with
// --scrypt-n 1024 --scrypt-r 1 --scrypt-p 1 --unrestricted.
func addFixtureUser(t *testing.T, d *DB) *User {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key, err := scrypt.Key([]byte(fixturePassword), salt, 1024, 1, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	u := User{Username: fixtureUser, PasswordHash: key, PasswordSalt: salt,
		ScryptN: 1024, ScryptR: 1, ScryptP: 1, Restricted: false}
	id, err := d.AddUser(t.Context(), u)
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	u.ID = id
	return &u
}

// fixtureBuild is build 1 (start at the epoch) or build 2 (an hour later).
func fixtureBuild(userID int64, n int) NewBuild {
	start := time.Unix(0, 0).UTC()
	uuid, bin := uuid1, binary1
	if n == 2 {
		start = start.Add(time.Hour)
		uuid, bin = uuid2, binary2
	}
	return NewBuild{
		Job:        fixtureJob,
		UUID:       uuid,
		Platform:   fixturePlatform,
		Script:     fixtureJob + "/" + uuid + "/script.txt",
		Console:    fixtureJob + "/" + uuid + "/console.txt",
		Start:      start,
		Finish:     start.Add(time.Second),
		ResultCode: 0,
		UserID:     userID,
		Artifacts:  []NewArtifact{{Path: fixtureBinPath, SHA256: sum(bin), Size: int64(len(bin))}},
		MainBinary: 0,
	}
}

func insertBuild(t *testing.T, d *DB, b NewBuild) int64 {
	t.Helper()
	var id int64
	err := d.WriteTx(t.Context(), func(ctx context.Context, tx *Tx) error {
		var err error
		id, err = d.InsertBuild(ctx, tx, b)
		return err
	})
	if err != nil {
		t.Fatalf("InsertBuild(%s): %v", b.UUID, err)
	}
	return id
}

// hashPassword is password.Hash for fixtures (app/accounts does it for real).
func hashPassword(t *testing.T, pw string) string {
	t.Helper()
	h, err := password.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// credentials reads a user's stored password columns as app/accounts does.
func credentials(u *User) password.Stored {
	s := password.Stored{ScryptHash: u.PasswordHash, ScryptSalt: u.PasswordSalt,
		ScryptN: int(u.ScryptN), ScryptR: int(u.ScryptR), ScryptP: int(u.ScryptP)}
	if u.PasswordArgon2id != nil {
		s.Argon2id = *u.PasswordArgon2id
	}
	return s
}
