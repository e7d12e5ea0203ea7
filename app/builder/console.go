package builder

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
)

// deltaSeconds is OCaml's Duration.to_f, which builder-web uses for
// console.txt: Duration is an unsigned 64-bit count of nanoseconds, so a
// negative delta shows as a huge positive number of seconds.
func deltaSeconds(delta int64) float64 {
	f := float64(delta)
	if delta < 0 {
		f += 2 * float64(1<<63)
	}
	return f / 1e9
}

// WriteConsole writes console.txt as builder-web does: chronological order
// (lines holds newest first, as records do), each line as OCaml's
// sprintf "%.3fs:%s\n" of the delta in seconds and the raw bytes.
func WriteConsole(w io.Writer, lines []ConsoleLine) error {
	var buf []byte
	for i := len(lines) - 1; i >= 0; i-- {
		buf = appendStamp(buf, lines[i].Delta)
		buf = append(buf, lines[i].Data...)
		buf = append(buf, '\n')
		if len(buf) >= 32<<10 || i == 0 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("writing console: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}

// appendStamp appends a console.txt line's time stamp and its ':'.
func appendStamp(dst []byte, delta int64) []byte {
	// strconv rounds the exact binary value half to even, as glibc's
	// printf does, so the digits match the reference.
	dst = strconv.AppendFloat(dst, deltaSeconds(delta), 'f', 3, 64)
	return append(dst, 's', ':')
}

// ParseConsole reads console.txt back the way the reference does for /exec:
// split on '\n', cut each line at its first ':', read the part before it,
// minus a trailing 's', as float seconds. Lines without ':', starting with
// ':', or whose number does not parse are skipped. The result is newest
// first, as records hold it.
func ParseConsole(b []byte) []ConsoleLine {
	var lines []ConsoleLine
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		delta, ok := parseStamp(line[:colon])
		if !ok {
			continue
		}
		lines = append(lines, ConsoleLine{Delta: delta, Data: string(line[colon+1:])})
	}
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	return lines
}

// parseStamp reads the non-empty part of a console.txt line before its
// first ':', minus a trailing 's', as float seconds.
func parseStamp(num []byte) (int64, bool) {
	if num[len(num)-1] == 's' {
		num = num[:len(num)-1]
	}
	sec, err := strconv.ParseFloat(string(num), 64)
	if err != nil && !isRangeError(err) || math.IsNaN(sec) {
		return 0, false
	}
	return secondsDelta(sec), true
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// secondsDelta is OCaml's Duration.of_f, which the reference applies to the
// seconds: whole seconds and the fraction are converted separately, so
// 3.207 s gives 3206999999 ns where int64(3.207*1e9) would give 3207000000.
// Like Duration, the result is an unsigned count in an int64 (wrapping
// above 2^63 ns); where of_f would raise (beyond 2^64 ns) it saturates, so
// that the 18446744073.710s WriteConsole prints for a delta of -1 reads
// back as -1. Negative seconds, which of_f refuses, are converted the same
// way towards zero rather than dropping the line.
func secondsDelta(sec float64) int64 {
	switch {
	case sec >= maxDurationSeconds:
		return -1 // 2^64-1 ns as int64
	case sec <= -maxDurationSeconds:
		return math.MinInt64
	}
	whole := math.Trunc(sec)
	s := int64(whole)
	return s*1e9 + int64((sec-whole)*1e9) // wraps like OCaml's Int64
}

// maxDurationSeconds is 2^64 ns in seconds, where Duration ends.
const maxDurationSeconds = 18446744073.709551616
