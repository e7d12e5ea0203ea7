package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/db"
)

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
