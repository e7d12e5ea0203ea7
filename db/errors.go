package db

import (
	"errors"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// PostgreSQL's SQLSTATE codes (appendix A of its manual) for the
// conditions below. An error comes from one backend's driver only, so each
// check looks for both drivers' error types.
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
	pgDiskFull             = "53100"
	pgUntranslatable       = "22021" // character_not_in_repertoire
)

// pgCode is the SQLSTATE of a PostgreSQL server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

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

// isUniqueViolation reports whether err is a UNIQUE (or PRIMARY KEY)
// constraint failure.
func isUniqueViolation(err error) bool {
	if pgCode(err) == pgUniqueViolation {
		return true
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.ExtendedCode == sqlite3.ErrConstraintUnique ||
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}

// IsBusy reports whether err is SQLite's "database is locked": another
// process held the lock past the busy timeout; or PostgreSQL's lock
// timeout, deadlock or serialization failure between nodes. The request
// may succeed when retried, so it is no server fault.
func IsBusy(err error) bool {
	switch pgCode(err) {
	case pgLockNotAvailable, pgDeadlockDetected, pgSerializationFailure:
		return true
	}
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// IsUnstorableText reports whether err says that a text value (an
// artifact path, a job name) is not valid UTF-8 or holds a NUL byte,
// which PostgreSQL's text columns refuse and SQLite stores. It is the
// client's input, not a server fault.
func IsUnstorableText(err error) bool { return pgCode(err) == pgUntranslatable }

// IsFull reports whether err says the disk (or the quota) is full, from
// SQLite or from the file system.
func IsFull(err error) bool {
	if pgCode(err) == pgDiskFull {
		return true
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
