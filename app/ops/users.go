package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/db"
)

// ErrEmptyPassword is returned when a new password is empty.
var ErrEmptyPassword = errors.New("empty password refused")

// ValidateUsername rejects names that could never log in: HTTP Basic
// splits user and password at the first ':'.
func ValidateUsername(name string) error {
	switch {
	case name == "":
		return errors.New("empty username")
	case strings.ContainsRune(name, ':'):
		return fmt.Errorf("username %q contains ':'", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("username %q contains a control character", name)
	}
	return nil
}

// AddUser creates an account with an argon2id password (product §6.3). A
// taken name is db.ErrDuplicate.
func AddUser(ctx context.Context, d *db.DB, name, password string, restricted, admin bool) error {
	if err := ValidateUsername(name); err != nil {
		return err
	}
	if password == "" {
		return ErrEmptyPassword
	}
	u := db.User{Username: name, Restricted: restricted, Admin: admin}
	if err := u.SetPassword(password); err != nil {
		return err
	}
	_, err := d.AddUser(ctx, u)
	return err
}

// UserChange is what UpdateUser changes; nil fields stay as they are.
type UserChange struct {
	Password   *string
	Restricted *bool
	Admin      *bool
}

// UpdateUser changes a user's password and flags. A new password also
// re-enables a disabled user. Unknown users are db.ErrUnknownUser.
func UpdateUser(ctx context.Context, d *db.DB, name string, c UserChange) error {
	if c.Password != nil && *c.Password == "" {
		return ErrEmptyPassword
	}
	u, err := d.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if c.Password != nil {
		if err := u.SetPassword(*c.Password); err != nil {
			return err
		}
	}
	if c.Restricted != nil {
		u.Restricted = *c.Restricted
	}
	if c.Admin != nil {
		u.Admin = *c.Admin
	}
	return d.UpdateUser(ctx, *u)
}

// Uploader returns the account records are attributed to when an operator
// ingests them: the named user, or the only user when name is empty.
func Uploader(ctx context.Context, d *db.DB, name string) (ingest.Uploader, error) {
	if name != "" {
		u, err := d.UserByName(ctx, name)
		if err != nil {
			return ingest.Uploader{}, err
		}
		return uploaderOf(u), nil
	}
	users, err := d.ListUsers(ctx)
	if err != nil {
		return ingest.Uploader{}, err
	}
	switch len(users) {
	case 0:
		return ingest.Uploader{}, errors.New("there are no users: create one with `builder-db user-add` or name one with --user")
	case 1:
		return uploaderOf(&users[0]), nil
	}
	return ingest.Uploader{}, fmt.Errorf("there are %d users: name the uploader with --user", len(users))
}

func uploaderOf(u *db.User) ingest.Uploader {
	return ingest.Uploader{ID: u.ID, Name: u.Username, Restricted: u.Restricted}
}

// ErrUserHasBuilds is returned by RemoveUser for a user whose builds name
// them; such a user can only be disabled.
var ErrUserHasBuilds = db.ErrUserHasBuilds

// RemoveUser deletes a user and their access list. Unknown users are
// db.ErrUnknownUser; users who uploaded builds are ErrUserHasBuilds.
func RemoveUser(ctx context.Context, d *db.DB, name string) error {
	return d.RemoveUser(ctx, name)
}
