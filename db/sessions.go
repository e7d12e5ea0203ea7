package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// Session is a logged-in browser (migration 0005). The id itself lives only
// in the browser's cookie; IDHash is its SHA-256.
type Session struct {
	bun.BaseModel `bun:"table:session"`

	IDHash   []byte `bun:"id_hash,pk"`
	UserID   int64  `bun:"user,notnull"`
	CSRF     string `bun:"csrf,notnull"`
	Created  int64  `bun:"created,notnull"`   // unix seconds
	LastSeen int64  `bun:"last_seen,notnull"` // unix seconds
}

// ErrNoSession is returned (wrapped) when a session id is not stored.
var ErrNoSession error = notFoundError("no such session")

const (
	sqlSessionByHash = `SELECT id_hash, "user", csrf, created, last_seen FROM session WHERE id_hash = ?`
	sqlTouchSession  = "UPDATE session SET last_seen = ? WHERE id_hash = ?"
	sqlDeleteSession = "DELETE FROM session WHERE id_hash = ?"
	// Uses idx_session_user.
	sqlDeleteUserSessions = `DELETE FROM session WHERE "user" = ? AND id_hash <> ?`
	// Sessions are few (one per logged-in browser), so this scan is cheap;
	// it runs at login only.
	sqlDeleteExpiredSessions = "DELETE FROM session WHERE last_seen < ? OR created < ?"
)

// InsertSession stores a new session.
func (d *DB) InsertSession(ctx context.Context, s Session) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&s).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("store session of user %d: %w", s.UserID, err)
	}
	return nil
}

// SessionByHash returns the session whose id hashes to idHash, or ErrNoSession.
func (d *DB) SessionByHash(ctx context.Context, idHash []byte) (*Session, error) {
	var s Session
	if err := d.read.NewRaw(d.sql(sqlSessionByHash), idHash).Scan(ctx, &s); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoSession
		}
		return nil, fmt.Errorf("load session: %w", err)
	}
	return &s, nil
}

// TouchSession records that the session was used at lastSeen (unix seconds).
func (d *DB) TouchSession(ctx context.Context, idHash []byte, lastSeen int64) error {
	return d.execWrite(ctx, "touch session", sqlTouchSession, lastSeen, idHash)
}

// DeleteSession removes one session (logout, expiry); a missing one is not
// an error.
func (d *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	return d.execWrite(ctx, "delete session", sqlDeleteSession, idHash)
}

// DeleteUserSessions logs a user out everywhere except in the session
// keep (nil: everywhere), e.g. after their password was reset.
func (d *DB) DeleteUserSessions(ctx context.Context, userID int64, keep []byte) error {
	if keep == nil {
		keep = []byte{}
	}
	return d.execWrite(ctx, fmt.Sprintf("delete sessions of user %d", userID), sqlDeleteUserSessions, userID, keep)
}

// DeleteExpiredSessions removes sessions last used before idleBefore or
// created before createdBefore (both unix seconds).
func (d *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore int64) error {
	return d.execWrite(ctx, "delete expired sessions", sqlDeleteExpiredSessions, idleBefore, createdBefore)
}

func (d *DB) execWrite(ctx context.Context, what, query string, args ...any) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(d.sql(query), args...).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
