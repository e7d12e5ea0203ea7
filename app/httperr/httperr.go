// Package httperr holds the one error type that crosses from the domain
// packages to the HTTP layer: a status, a message safe to show the client,
// and the wrapped cause for the log.
package httperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with an HTTP status and a message that is safe to show.
type Error struct {
	Status int
	Safe   string
	Err    error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Safe
	}
	return fmt.Sprintf("%s: %v", e.Safe, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the given status and safe message.
func New(status int, safe string, err error) *Error {
	return &Error{Status: status, Safe: safe, Err: err}
}

// BadRequest is a 400 whose message may include details of the input.
func BadRequest(safe string, err error) *Error { return New(http.StatusBadRequest, safe, err) }

// NotFound is a 404.
func NotFound(safe string) *Error { return New(http.StatusNotFound, safe, nil) }

// Status returns the status an error should be answered with and the
// message the client may see: 500 with a generic text for anything that is
// not an *Error.
func Status(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Status, e.Safe
	}
	return http.StatusInternalServerError, "Internal server error"
}
