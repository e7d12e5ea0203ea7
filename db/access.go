package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

const sqlHasAccess = `SELECT EXISTS (SELECT 1 FROM access_list
	JOIN job ON job.id = access_list.job
	WHERE access_list."user" = ? AND job.name = ?)`

const sqlUserJobs = `SELECT job.name FROM access_list
	JOIN job ON job.id = access_list.job
	WHERE access_list."user" = ? ORDER BY job.name`

// AccessAdd lets a restricted user upload builds of an existing job. Granting
// twice is not an error. Errors: ErrUnknownUser, ErrJobNotFound.
func (d *DB) AccessAdd(ctx context.Context, user, job string) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		uid, jid, err := userAndJob(ctx, tx, d.dialect, user, job)
		if err != nil {
			return err
		}
		_, err = tx.NewRaw(`INSERT INTO access_list ("user", job) VALUES (?, ?) ON CONFLICT DO NOTHING`, uid, jid).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("grant %s access to %s: %w", user, job, err)
	}
	return nil
}

// AccessRemove revokes what AccessAdd granted; revoking what was not granted
// is not an error. Errors: ErrUnknownUser, ErrJobNotFound.
func (d *DB) AccessRemove(ctx context.Context, user, job string) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		uid, jid, err := userAndJob(ctx, tx, d.dialect, user, job)
		if err != nil {
			return err
		}
		_, err = tx.NewDelete().Model((*AccessList)(nil)).Where(`"user" = ? AND job = ?`, uid, jid).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke %s access to %s: %w", user, job, err)
	}
	return nil
}

func userAndJob(ctx context.Context, tx bun.Tx, dl dialect, user, job string) (uid, jid int64, err error) {
	u, err := userBy(ctx, tx, dl, sqlUserByName, user)
	if err != nil {
		return 0, 0, err
	}
	j, err := jobBy(ctx, tx, dl, sqlJobByName, job)
	if err != nil {
		return 0, 0, err
	}
	return u.ID, j.ID, nil
}

// HasAccess reports whether the access list lets the user upload to job.
// (Unrestricted users need no entry; that is the caller's decision.)
func (d *DB) HasAccess(ctx context.Context, userID int64, job string) (bool, error) {
	ok, err := exists(ctx, d.read, d.dialect, sqlHasAccess, userID, job)
	if err != nil {
		return false, fmt.Errorf("access of user %d to %s: %w", userID, job, err)
	}
	return ok, nil
}

// UserJobs returns the names of the jobs on the user's access list, sorted.
func (d *DB) UserJobs(ctx context.Context, userID int64) ([]string, error) {
	var names []string
	err := d.read.NewRaw(d.sql(sqlUserJobs), userID).Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("access list of user %d: %w", userID, err)
	}
	return names, nil
}
