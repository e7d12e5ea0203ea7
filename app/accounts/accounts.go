// Package accounts owns the upload and admin accounts: the rules for names
// and passwords, creating and changing accounts, and turning a password
// into what the user row stores (product.md §6.3). The web admin pages and
// builder-db both go through it, so an account one accepts the other does.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/builder-web/builder-web/app/password"
	"github.com/builder-web/builder-web/db"
)

// Limits of names and passwords.
const (
	// MaxNameLen is in bytes, as at login: the failed-login throttle
	// refuses longer names before it hashes them.
	MaxNameLen = 255
	// MinPasswordLen and MaxPasswordLen count characters; the maximum only
	// keeps absurd inputs away from the hash.
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// Invalid is a name or password that breaks a rule. Its message is a
// sentence for the person who typed it.
type Invalid struct {
	Field string // "username" or "password", the form field
	Msg   string
}

func (e *Invalid) Error() string { return e.Msg }

// ErrDuplicate is a name that is taken.
var ErrDuplicate = db.ErrDuplicate

// CheckName returns an *Invalid when name cannot be an account name:
// names go into "user:password" of HTTP basic auth, which splits at the
// first colon, and into logs and pages.
func CheckName(name string) error {
	bad := func(msg string) error { return &Invalid{Field: "username", Msg: msg} }
	switch {
	case name == "":
		return bad("Enter a user name.")
	case !utf8.ValidString(name):
		return bad("A user name must be valid UTF-8.")
	case len(name) > MaxNameLen:
		return bad(fmt.Sprintf("A user name has at most %d bytes.", MaxNameLen))
	}
	for _, r := range name {
		if r == ':' {
			return bad("A user name cannot contain “:” (HTTP basic auth splits user and password there).")
		}
		if unicode.IsControl(r) {
			return bad("A user name cannot contain control characters.")
		}
	}
	return nil
}

// CheckPassword returns an *Invalid when pw cannot be a password.
func CheckPassword(pw string) error {
	bad := func(msg string) error { return &Invalid{Field: "password", Msg: msg} }
	switch n := utf8.RuneCountInString(pw); {
	case n == 0:
		return bad("Enter a password.")
	case n < MinPasswordLen:
		return bad(fmt.Sprintf("A password needs at least %d characters.", MinPasswordLen))
	case n > MaxPasswordLen:
		return bad(fmt.Sprintf("A password has at most %d characters.", MaxPasswordLen))
	}
	return nil
}

// Check runs both rules and returns every broken one, by form field.
func Check(name, pw string) map[string]string {
	errs := map[string]string{}
	for _, err := range []error{CheckName(name), CheckPassword(pw)} {
		var inv *Invalid
		if errors.As(err, &inv) {
			errs[inv.Field] = inv.Msg
		}
	}
	return errs
}

// Create adds an account with an argon2id password. A taken name is
// ErrDuplicate; a broken rule is an *Invalid.
func Create(ctx context.Context, d *db.DB, name, pw string, restricted, admin bool) (*db.User, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	u := db.User{Username: name, Restricted: restricted, Admin: admin}
	if err := SetPassword(&u, pw); err != nil {
		return nil, err
	}
	id, err := d.AddUser(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("add user %s: %w", name, err)
	}
	u.ID = id
	return &u, nil
}

// Change is what Update changes; nil fields stay as they are.
type Change struct {
	Password   *string
	Restricted *bool
	Admin      *bool
}

// Update changes an account's password and flags; a new password also
// enables a disabled account. Unknown names are db.ErrUnknownUser.
func Update(ctx context.Context, d *db.DB, name string, c Change) (*db.User, error) {
	if c.Password != nil {
		if err := CheckPassword(*c.Password); err != nil {
			return nil, err
		}
	}
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if c.Password != nil {
		if err := SetPassword(u, *c.Password); err != nil {
			return nil, err
		}
	}
	if c.Restricted != nil {
		u.Restricted = *c.Restricted
	}
	if c.Admin != nil {
		u.Admin = *c.Admin
	}
	if err := d.UpdateUser(ctx, *u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword gives u an argon2id password after checking it: the scrypt
// columns are emptied, so to the reference the user looks disabled, and
// disabled_at is cleared. Store u with db.UpdateUser or db.AddUser.
func SetPassword(u *db.User, pw string) error {
	if err := CheckPassword(pw); err != nil {
		return err
	}
	h, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("hash password of %s: %w", u.Username, err)
	}
	u.UseArgon2id(h)
	return nil
}

// Credentials returns what password.Verify needs from the user's row.
func Credentials(u *db.User) password.Stored {
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
