package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// UseArgon2id makes hash (from password.Hash) the user's only password:
// the scrypt columns are emptied, so to the reference the user looks
// disabled, and disabled_at is cleared. Store u with UpdateUser or AddUser.
func (u *User) UseArgon2id(hash string) {
	u.PasswordArgon2id = &hash
	u.PasswordHash, u.PasswordSalt = []byte{}, []byte{}
	u.ScryptN, u.ScryptR, u.ScryptP = DefaultScryptN, DefaultScryptR, DefaultScryptP
	u.DisabledAt = nil
}

// SetArgon2id stores an argon2id hash (from password.Hash) as the user's only
// password, emptying the scrypt columns. It is meant for upgrading a password
// that just verified with an outdated scheme, so it leaves a user who was
// disabled in the meantime disabled.
func (d *DB) SetArgon2id(ctx context.Context, userID int64, hash string) error {
	err := d.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`UPDATE "user" SET password_argon2id = ?,
				password_hash = ?, password_salt = ?,
				scrypt_n = ?, scrypt_r = ?, scrypt_p = ?
			WHERE id = ? AND disabled_at IS NULL
				AND (password_argon2id IS NOT NULL OR length(password_hash) > 0)`,
			hash, []byte{}, []byte{}, DefaultScryptN, DefaultScryptR, DefaultScryptP, userID).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}
