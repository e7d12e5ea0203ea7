package views

import (
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The formatting conventions of reference §14, exported so handlers, feeds and
// JSON encoders print values exactly as the pages do.

// FormatTime prints a time as the pages show it: UTC, seconds truncated,
// "2024-09-05 07:03:11Z".
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// FormatRFC3339JSON prints a time as the reference's JSON does (OCaml Ptime's
// default): RFC 3339 without fraction and with the "unknown offset" suffix,
// "2024-09-05T07:03:11-00:00".
func FormatRFC3339JSON(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05") + "-00:00"
}

// FormatAgo is the relative hint shown beside absolute times, such as
// "3 days ago" or "in 2 hours"; "just now" within a minute.
func FormatAgo(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	if d < time.Minute {
		return "just now"
	}
	var n int64
	var unit string
	switch {
	case d < time.Hour:
		n, unit = int64(d/time.Minute), "minute"
	case d < 24*time.Hour:
		n, unit = int64(d/time.Hour), "hour"
	case d < 30*24*time.Hour:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d < 365*24*time.Hour:
		n, unit = int64(d/(30*24*time.Hour)), "month"
	default:
		n, unit = int64(d/(365*24*time.Hour)), "year"
	}
	s := strconv.FormatInt(n, 10) + " " + unit
	if n != 1 {
		s += "s"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// siPrefixes are the decimal prefixes FormatSize uses, by power of 1000.
var siPrefixes = []string{"", "k", "M", "G", "T", "P", "E"}

// FormatSize prints a byte count in SI units with at most three significant
// digits, rounding up, without trailing zeros or a space: 5B, 999B, 1kB,
// 1.01kB, 12.4kB, 1.24MB, 235MB, 1.2GB. It follows OCaml's Fmt.byte_size,
// which the reference uses. Negative sizes print as 0B.
func FormatSize(n int64) string {
	if n <= 0 {
		return "0B"
	}
	if n < 1000 {
		return strconv.FormatInt(n, 10) + "B"
	}
	scale, factor := 1, int64(1000)
	for scale < len(siPrefixes)-1 && n/factor >= 1000 {
		scale++
		factor *= 1000
	}
	unit := siPrefixes[scale] + "B"
	m, rest := n/factor, n%factor
	switch {
	case m >= 100: // no fraction digit
		if rest > 0 {
			m++
		}
		if m >= 1000 { // rounded up into the next prefix
			return FormatSize(m * factor)
		}
		return strconv.FormatInt(m, 10) + unit
	case m >= 10: // one fraction digit
		f := ceilDiv(rest, factor/10)
		switch {
		case f == 0:
			return strconv.FormatInt(m, 10) + unit
		case f >= 10:
			return FormatSize((m + 1) * factor)
		}
		return strconv.FormatInt(m, 10) + "." + strconv.FormatInt(f, 10) + unit
	default: // two fraction digits, trailing zero dropped
		f := ceilDiv(rest, factor/100)
		switch {
		case f == 0:
			return strconv.FormatInt(m, 10) + unit
		case f >= 100:
			return FormatSize((m + 1) * factor)
		case f%10 == 0:
			return strconv.FormatInt(m, 10) + "." + strconv.FormatInt(f/10, 10) + unit
		}
		return strconv.FormatInt(m, 10) + "." + pad2(f) + unit
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// FormatDuration prints a duration compactly in its two largest units, as
// OCaml's Ptime.Span.pp does for the reference: 1d2h, 1h5min, 3min4s, 12.5s,
// 450ms. The smaller unit is rounded to nearest. Negative durations (a finish
// before the start in old data) get a leading "-".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		if d == -1<<63 {
			d++ // -MinInt64 overflows
		}
		return "-" + FormatDuration(-d)
	}
	const day = 24 * time.Hour
	switch {
	case d >= day:
		days, h := split(d, day, time.Hour)
		if h == 24 {
			days, h = days+1, 0
		}
		if days > 365 || (days == 365 && h >= 6) {
			// Ptime counts 365.25-day years and rounds the rest to days.
			total := int64((d + day/2) / day)
			y := max(total*4/1461, 1)
			return units(y, "y", max(total-y*1461/4, 0), "d")
		}
		return units(days, "d", h, "h")
	case d >= time.Hour:
		h, m := split(d, time.Hour, time.Minute)
		if m == 60 {
			h, m = h+1, 0
		}
		if h == 24 {
			return "1d"
		}
		return units(h, "h", m, "min")
	case d >= time.Minute:
		m, s := split(d, time.Minute, time.Second)
		if s == 60 {
			m, s = m+1, 0
		}
		if m == 60 {
			return "1h"
		}
		return units(m, "min", s, "s")
	case d >= time.Second:
		return decimal(d, time.Second, time.Millisecond, "s", "min")
	case d >= time.Millisecond:
		return decimal(d, time.Millisecond, time.Microsecond, "ms", "s")
	case d >= time.Microsecond:
		return decimal(d, time.Microsecond, time.Nanosecond, "us", "ms")
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

// split divides d into whole hi units and the rest rounded to lo units.
func split(d, hi, lo time.Duration) (int64, int64) {
	return int64(d / hi), int64((d%hi + lo/2) / lo)
}

func units(a int64, ua string, b int64, ub string) string {
	s := strconv.FormatInt(a, 10) + ua
	if b != 0 {
		s += strconv.FormatInt(b, 10) + ub
	}
	return s
}

// decimal prints d in unit with up to three decimals (rounded to lo, trailing
// zeros dropped); 1000 units roll over to "1"+next. Ptime prints the fraction
// with %d, turning 12.05s into "12.50s"; we print the value instead.
func decimal(d, unit, lo time.Duration, name, next string) string {
	whole, frac := split(d, unit, lo)
	if frac == 1000 {
		whole, frac = whole+1, 0
	}
	if whole >= 1000 || (name == "s" && whole >= 60) {
		return "1" + next
	}
	if whole >= 100 && name != "s" {
		// Like Ptime: three integral digits are enough for sub-second units.
		if frac >= 500 {
			whole++
		}
		if whole == 1000 {
			return "1" + next
		}
		return strconv.FormatInt(whole, 10) + name
	}
	s := strconv.FormatInt(whole, 10)
	if frac != 0 {
		f := strconv.FormatInt(frac+1000, 10)[1:] // three digits
		s += "." + strings.TrimRight(f, "0")
	}
	return s + name
}

// ShortHash is the 12-character prefix under which lists show a hash.
func ShortHash(hexHash string) string {
	if len(hexHash) <= 12 {
		return hexHash
	}
	return hexHash[:12]
}

// Hex is the lowercase hex form of a raw hash.
func Hex(b []byte) string { return hex.EncodeToString(b) }

// PathEscape percent-encodes each '/'-separated segment of an artifact path
// (or a job name, which has a single segment) for use in a URL path.
func PathEscape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// FormatCount puts a count before its noun in the right number: "1 day",
// "2 days", "0 builds". Every place a count meets a noun uses it, so no page
// reads "1 Opam packages".
func FormatCount(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// FormatSignedSize is FormatSize with the sign of a change: "+1.2kB",
// "-300B", "0B".
func FormatSignedSize(n int64) string {
	switch {
	case n > 0:
		return "+" + FormatSize(n)
	case n < 0:
		return "-" + FormatSize(-n)
	}
	return "0B"
}
