package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/app/password"
)

// Credentials returns what password.Verify needs from the user's row.
func (u *User) Credentials() password.Stored {
	s := password.Stored{
		ScryptHash: u.PasswordHash,
		ScryptSalt: u.PasswordSalt,
		ScryptN:    int(u.ScryptN),
		ScryptR:    int(u.ScryptR),
		ScryptP:    int(u.ScryptP),
	}
	if u.PasswordArgon2id != nil {
		s.Argon2id = *u.PasswordArgon2id
	}
	return s
}

// SetPassword gives the user an argon2id password (product §6.3): the
// scrypt columns are emptied, so to the reference the user looks disabled, and
// disabled_at is cleared. Store the result with UpdateUser or AddUser.
func (u *User) SetPassword(pw string) error {
	h, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("hash password of %s: %w", u.Username, err)
	}
	u.PasswordArgon2id = &h
	u.PasswordHash, u.PasswordSalt = []byte{}, []byte{}
	u.ScryptN, u.ScryptR, u.ScryptP = DefaultScryptN, DefaultScryptR, DefaultScryptP
	u.DisabledAt = nil
	return nil
}

// SetArgon2id stores an argon2id hash (from password.Hash) as the user's only
// password, emptying the scrypt columns. It is meant for upgrading a password
// that just verified with an outdated scheme, so it leaves a user who was
// disabled in the meantime disabled.
func (d *DB) SetArgon2id(ctx context.Context, userID int64, hash string) error {
	err := d.WriteTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw(`UPDATE user SET password_argon2id = ?,
				password_hash = X'', password_salt = X'',
				scrypt_n = ?, scrypt_r = ?, scrypt_p = ?
			WHERE id = ? AND disabled_at IS NULL
				AND (password_argon2id IS NOT NULL OR length(password_hash) > 0)`,
			hash, DefaultScryptN, DefaultScryptR, DefaultScryptP, userID).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}
