package db

import (
	"errors"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

var (
	// ErrNotFound is returned (wrapped) when a looked-up row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is returned (wrapped) when a row with the same unique key
	// exists already, e.g. a build with the same UUID.
	ErrDuplicate = errors.New("already exists")

	// ErrUserHasBuilds refuses to remove a user whose builds name them;
	// such a user can only be disabled.
	ErrUserHasBuilds = errors.New("the user uploaded builds; disable the user instead")

	// ErrUnknownUser and ErrJobNotFound carry the reference's CLI messages;
	// both also match ErrNotFound with errors.Is.
	ErrUnknownUser error = notFoundError("unknown user")
	ErrJobNotFound error = notFoundError("job not found")
)

// notFoundError is a not-found condition with its own message.
type notFoundError string

func (e notFoundError) Error() string { return string(e) }

// Is makes errors.Is(err, ErrNotFound) hold for every notFoundError.
func (e notFoundError) Is(target error) bool { return target == ErrNotFound }

// isUniqueViolation reports whether err is SQLite's UNIQUE (or PRIMARY KEY)
// constraint failure.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.ExtendedCode == sqlite3.ErrConstraintUnique ||
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}

// IsBusy reports whether err is SQLite's "database is locked": another
// process held the lock past the busy timeout. The request may succeed
// when retried, so it is no server fault.
func IsBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// IsFull reports whether err says the disk (or the quota) is full, from
// SQLite or from the file system.
func IsFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
