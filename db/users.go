package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Default scrypt parameters of the reference; DisableUser writes them, as
// the reference's user-disable does.
const (
	DefaultScryptN = 16384
	DefaultScryptR = 8
	DefaultScryptP = 1
)

const (
	sqlUserByName = `SELECT * FROM "user" WHERE username = ?`
	sqlUserByID   = `SELECT * FROM "user" WHERE id = ?`
	// Uses idx_build_user (migration 0003).
	sqlUserUploaded = `SELECT EXISTS (SELECT 1 FROM build WHERE "user" = ?)`
)

// UserByName returns the named user, or ErrUnknownUser.
func (d *DB) UserByName(ctx context.Context, name string) (*User, error) {
	return userBy(ctx, d.read, d.dialect, sqlUserByName, name)
}

// UserByID returns the user with this id, or ErrUnknownUser.
func (d *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	return userBy(ctx, d.read, d.dialect, sqlUserByID, id)
}

func userBy(ctx context.Context, q bun.IDB, dl dialect, query string, arg any) (*User, error) {
	var u User
	if err := q.NewRaw(dl.sql(query), arg).Scan(ctx, &u); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("user %v: %w", arg, ErrUnknownUser)
		}
		return nil, fmt.Errorf("user %v: %w", arg, err)
	}
	return &u, nil
}

// ListUsers returns all users in creation order (the reference's user-list
// order).
func (d *DB) ListUsers(ctx context.Context) ([]User, error) {
	var users []User
	if err := d.read.NewSelect().Model(&users).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// AddUser stores a new user and returns its id; a taken username fails with
// ErrDuplicate.
func (d *DB) AddUser(ctx context.Context, u User) (int64, error) {
	u.ID = 0
	fixCredentials(&u)
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&u).Exec(ctx)
		return err
	})
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("add user %s: %w", u.Username, ErrDuplicate)
	}
	if err != nil {
		return 0, fmt.Errorf("add user %s: %w", u.Username, err)
	}
	return u.ID, nil
}

// UpdateUser overwrites the stored record of u.Username (credentials, flags,
// disabled_at) with u; callers load, change and store. ErrUnknownUser if
// there is no such user.
func (d *DB) UpdateUser(ctx context.Context, u User) error {
	fixCredentials(&u)
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(&u).
			ExcludeColumn("id", "username").
			Where("username = ?", u.Username).
			Exec(ctx)
		if err != nil {
			return err
		}
		return expectRow(res, ErrUnknownUser)
	})
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.Username, err)
	}
	return nil
}

// fixCredentials keeps the NOT NULL scrypt columns non-NULL: bun writes a nil
// slice as NULL, an empty one as X”.
func fixCredentials(u *User) {
	if u.PasswordHash == nil {
		u.PasswordHash = []byte{}
	}
	if u.PasswordSalt == nil {
		u.PasswordSalt = []byte{}
	}
}

// RemoveUser deletes a user and their access list. A user who uploaded
// builds cannot be removed (the builds name them); disable them instead.
func (d *DB) RemoveUser(ctx context.Context, name string) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := userBy(ctx, tx, d.dialect, sqlUserByName, name)
		if err != nil {
			return err
		}
		uploaded, err := exists(ctx, tx, d.dialect, sqlUserUploaded, u.ID)
		if err != nil {
			return fmt.Errorf("find builds: %w", err)
		}
		if uploaded {
			return ErrUserHasBuilds
		}
		if _, err := tx.NewDelete().Model((*AccessList)(nil)).Where(`"user" = ?`, u.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete access list: %w", err)
		}
		if _, err := tx.NewDelete().Model((*User)(nil)).Where("id = ?", u.ID).Exec(ctx); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove user %s: %w", name, err)
	}
	return nil
}

// DisableUser makes a user unable to log in or upload with the reference's
// semantics (empty scrypt hash and salt, default parameters, restricted,
// access list cleared) plus ours: no argon2id password and disabled_at set.
// Enabling means setting a new password.
func (d *DB) DisableUser(ctx context.Context, name string) error {
	now := time.Now()
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := userBy(ctx, tx, d.dialect, sqlUserByName, name)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*AccessList)(nil)).Where(`"user" = ?`, u.ID).Exec(ctx); err != nil {
			return fmt.Errorf("delete access list: %w", err)
		}
		at := now.Unix()
		u.PasswordHash, u.PasswordSalt = []byte{}, []byte{}
		u.ScryptN, u.ScryptR, u.ScryptP = DefaultScryptN, DefaultScryptR, DefaultScryptP
		u.Restricted = true
		u.PasswordArgon2id = nil
		u.DisabledAt = &at
		_, err = tx.NewUpdate().Model(u).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("disable user %s: %w", name, err)
	}
	return nil
}

// expectRow turns "no row affected" into notFound.
func expectRow(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}
