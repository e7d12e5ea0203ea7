// Package auth checks uploaders' credentials: basic auth against the user
// table, with reference scrypt records upgraded to argon2id on success and
// successful checks cached briefly so frequent uploads do not pay for
// hashing (product.md §6.3).
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/password"
	"github.com/builder-web/builder-web/db"
)

// ErrBadCredentials means the user is unknown, disabled, or the password is wrong.
var ErrBadCredentials = errors.New("bad credentials")

// Authenticator verifies credentials against the database.
type Authenticator struct {
	DB    *db.DB
	Log   *slog.Logger
	cache *password.Cache
}

// New returns an Authenticator with a fresh per-process cache key.
func New(d *db.DB, log *slog.Logger) (*Authenticator, error) {
	c, err := password.NewCache()
	if err != nil {
		return nil, fmt.Errorf("create credential cache: %w", err)
	}
	return &Authenticator{DB: d, Log: log, cache: c}, nil
}

// Basic checks a user name and password. Every failure costs about the
// same time, whether the user exists or not.
func (a *Authenticator) Basic(ctx context.Context, name, pw string) (*db.User, error) {
	u, err := a.DB.UserByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		password.VerifyUnknown(pw)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("load user %s: %w", name, err)
	}
	stored := accounts.Credentials(u)
	if a.cache != nil && a.cache.Check(name, pw, stored) {
		return u, nil
	}
	ok, upgrade := password.Verify(stored, pw)
	if !ok {
		return nil, ErrBadCredentials
	}
	if upgrade {
		if err := a.upgrade(ctx, u, pw); err != nil && a.Log != nil {
			a.Log.Warn("upgrade password hash", "user", name, "err", err)
		}
	}
	if a.cache != nil {
		a.cache.Add(name, pw, accounts.Credentials(u))
	}
	return u, nil
}

// upgrade stores an argon2id hash for a user who authenticated with a
// reference scrypt record.
func (a *Authenticator) upgrade(ctx context.Context, u *db.User, pw string) error {
	h, err := password.Hash(pw)
	if err != nil {
		return err
	}
	return a.DB.SetArgon2id(ctx, u.ID, h)
}
