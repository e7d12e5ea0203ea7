package db

import (
	"strings"
	"time"
)

const (
	secondsPerDay = 86400
	psPerSecond   = 1_000_000_000_000
)

// PtimeFromTime encodes t as the reference stores timestamps (OCaml Ptime's
// span): whole days since 1970-01-01 UTC and picoseconds since midnight UTC of
// that day. Days are floored, so times before 1970 get a negative day and a
// non-negative picosecond count, as Ptime does.
func PtimeFromTime(t time.Time) (d, ps int64) {
	sec := t.Unix()
	d = sec / secondsPerDay
	rem := sec % secondsPerDay
	if rem < 0 {
		d--
		rem += secondsPerDay
	}
	return d, rem*psPerSecond + int64(t.Nanosecond())*1000
}

// TimeFromPtime decodes a (days, picoseconds) pair written by PtimeFromTime
// or by the reference. Precision below a nanosecond is dropped.
func TimeFromPtime(d, ps int64) time.Time {
	sec := ps / psPerSecond
	rem := ps % psPerSecond
	if rem < 0 { // not written by Ptime, but decode it consistently anyway
		sec--
		rem += psPerSecond
	}
	return time.Unix(d*secondsPerDay+sec, rem/1000).UTC()
}

// NormalizeUUID returns the form in which the database stores UUIDs
// (lowercase, hyphenated); lookups are exact string matches.
func NormalizeUUID(uuid string) string {
	return strings.ToLower(uuid)
}
