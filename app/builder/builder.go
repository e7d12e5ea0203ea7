// Package builder reads and writes builder's "exec"/"full" upload records
// (ASN.1 DER, see ../shared/spec/upload-format.md).
package builder

import (
	"errors"
	"io"
	"time"
)

// ResultKind is the variant of builder's execution result.
type ResultKind int

const (
	Exited ResultKind = iota
	Signalled
	Stopped
	Msg
)

// Result is how a build ended. Code holds the exit code or OCaml's signal
// number (negative for the well-known signals); Msg is set only for Msg.
type Result struct {
	Kind ResultKind
	Code int64
	Msg  string
}

// Job is the record's script job.
type Job struct {
	Name     string
	Script   string // raw bytes, not necessarily UTF-8
	Platform string // "no-platform" when the record has none
}

// ConsoleLine is one line of build output, Delta nanoseconds after the start.
type ConsoleLine struct {
	Delta int64
	Data  string // raw bytes without the newline, not necessarily UTF-8
}

// Header is everything a record holds before its output files.
type Header struct {
	Job     Job
	UUID    [16]byte
	Console []ConsoleLine // newest first, as builder writes it
	Start   time.Time     // UTC, millisecond precision
	Finish  time.Time     // UTC, millisecond precision
	Result  Result
}

// File is an output file held in memory.
type File struct {
	Path string
	Data []byte
}

// Exec is a whole record held in memory.
type Exec struct {
	Header
	Files []File
}

// ErrMalformed is wrapped by every decoding error caused by the input bytes.
var ErrMalformed = errors.New("malformed builder record")

// FileSource is an output file to encode without holding it in memory.
type FileSource struct {
	Path string
	Size int64
	Open func() (io.ReadCloser, error)
}
