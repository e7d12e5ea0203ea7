package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// UserSummary is one row of the user administration page.
type UserSummary struct {
	User
	Builds int64 `bun:"builds"`
	// LastStartD/PS are the start of the user's newest build (the record
	// does not keep when it was uploaded); nil without builds.
	LastStartD  *int64 `bun:"last_start_d"`
	LastStartPS *int64 `bun:"last_start_ps"`
}

// LastUpload returns when the user's newest build started, or false.
func (s *UserSummary) LastUpload() (time.Time, bool) {
	if s.LastStartD == nil || s.LastStartPS == nil {
		return time.Time{}, false
	}
	return TimeFromPtime(*s.LastStartD, *s.LastStartPS), true
}

const (
	// A user with their build count and newest build. The subqueries are
	// searches of idx_build_user (migration 0003), never scans of build.
	sqlUserSummarySelect = `SELECT u.*,
		(SELECT count(*) FROM build b WHERE b."user" = u.id) AS builds,
		(SELECT b.start_d FROM build b WHERE b."user" = u.id
			ORDER BY b.start_d DESC, b.start_ps DESC LIMIT 1) AS last_start_d,
		(SELECT b.start_ps FROM build b WHERE b."user" = u.id
			ORDER BY b.start_d DESC, b.start_ps DESC LIMIT 1) AS last_start_ps
	FROM "user" u`
	// All users: the user table is read whole, it holds a handful of accounts.
	sqlUserSummaries = sqlUserSummarySelect + " ORDER BY u.username"
	sqlUserSummary   = sqlUserSummarySelect + " WHERE u.username = ?"

	// Job names in [prefix, upper) in byte order: a range on job.name's
	// unique index, which LIKE (case-insensitive) could not use.
	sqlJobNamesFrom = "SELECT name FROM job WHERE name >= ? AND name < ? ORDER BY name LIMIT ?"

	sqlSetRestricted = `UPDATE "user" SET restricted = ? WHERE username = ?`
	sqlSetAdmin      = `UPDATE "user" SET admin = ? WHERE username = ?`
)

// UserSummaries lists every user by name with their build statistics.
func (d *DB) UserSummaries(ctx context.Context) ([]UserSummary, error) {
	var out []UserSummary
	if err := d.read.NewRaw(d.sql(sqlUserSummaries)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UserSummary returns one user with their build statistics, or ErrUnknownUser.
func (d *DB) UserSummary(ctx context.Context, name string) (*UserSummary, error) {
	var out []UserSummary
	if err := d.read.NewRaw(d.sql(sqlUserSummary), name).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("user %s: %w", name, ErrUnknownUser)
	}
	return &out[0], nil
}

// JobNamesWithPrefix returns up to limit job names starting with prefix
// (case-sensitive, as job names are), sorted.
func (d *DB) JobNamesWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	names := []string{}
	if err := d.read.NewRaw(d.sql(sqlJobNamesFrom), prefix, prefixEnd(prefix), limit).Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("job names starting with %q: %w", prefix, err)
	}
	return names, nil
}

// prefixEnd is the least string greater than every string with this prefix
// in SQLite's byte order. Job names are UTF-8, which never contains 0xff, so
// "\xff" bounds them all.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\xff"
}

// SetRestricted sets whether the user may upload only to the jobs of their
// access list. ErrUnknownUser if there is no such user.
func (d *DB) SetRestricted(ctx context.Context, name string, restricted bool) error {
	return d.setFlag(ctx, name, "restricted", sqlSetRestricted, restricted)
}

// SetAdmin sets the user's admin flag. ErrUnknownUser if there is no such user.
func (d *DB) SetAdmin(ctx context.Context, name string, admin bool) error {
	return d.setFlag(ctx, name, "admin", sqlSetAdmin, admin)
}

// setFlag runs one UPDATE so that two admins changing different flags of a
// user at once do not overwrite each other's change.
func (d *DB) setFlag(ctx context.Context, name, flag, query string, v bool) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewRaw(d.sql(query), v, name).Exec(ctx)
		if err != nil {
			return err
		}
		return expectRow(res, ErrUnknownUser)
	})
	if err != nil {
		return fmt.Errorf("set %s of user %s: %w", flag, name, err)
	}
	return nil
}
