package builder

import (
	"fmt"
	"time"
)

// Ptime's range: what the reference can represent, hence decode.
var (
	minTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// digits reads 1 to w ASCII digits greedily, as OCaml's Scanf "%wu" does
// for the reference decoder; the field widths are maxima, not exact.
func digits(s []byte, w int) (v int, rest []byte, ok bool) {
	i := 0
	for i < w && i < len(s) && s[i] >= '0' && s[i] <= '9' {
		v = v*10 + int(s[i]-'0')
		i++
	}
	return v, s[i:], i > 0
}

// parseTime decodes UTCTime or GeneralizedTime contents with the leniency
// of asn1-combinators >= 0.3 (upload-format.md §3): the reference accepts
// these forms, so a stricter reader would refuse records it takes.
func parseTime(tag byte, c []byte) (time.Time, error) {
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("%s %q", why, c)
	}
	var year int
	var ok bool
	s := c
	if tag == tagUTCTime {
		if year, s, ok = digits(s, 2); !ok {
			return bad("bad year in UTCTime")
		}
		// asn1-combinators >= 0.3 maps 50 to 1950 (0.2 gave 2050).
		if year >= 50 {
			year += 1900
		} else {
			year += 2000
		}
	} else if year, s, ok = digits(s, 4); !ok {
		return bad("bad year in GeneralizedTime")
	}
	var month, day, hour, min, sec, ms int
	if month, s, ok = digits(s, 2); !ok {
		return bad("bad month in time")
	}
	if day, s, ok = digits(s, 2); !ok {
		return bad("bad day in time")
	}
	if hour, s, ok = digits(s, 2); !ok {
		return bad("bad hour in time")
	}
	if tag == tagUTCTime {
		if min, s, ok = digits(s, 2); !ok {
			return bad("bad minute in UTCTime")
		}
		sec, s, _ = digits(s, 2) // optional
	} else if min, s, ok = digits(s, 2); ok { // minutes, seconds and fraction nest as optional
		if sec, s, ok = digits(s, 2); ok && len(s) > 0 && s[0] == '.' {
			// One to three digits are an integer count of milliseconds
			// (".5" is 5 ms); further digits are ignored.
			if ms, s, ok = digits(s[1:], 3); !ok {
				return bad("empty fraction in GeneralizedTime")
			}
			for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
				s = s[1:]
			}
		}
	}
	offset := 0
	switch {
	case len(s) == 0 && tag == tagGenTime: // a missing zone means UTC
	case len(s) == 1 && s[0] == 'Z':
	case len(s) > 1 && (s[0] == '+' || s[0] == '-'):
		hh, rest, ok1 := digits(s[1:], 2)
		mm, rest, ok2 := digits(rest, 2)
		if !ok1 || !ok2 || len(rest) != 0 {
			return bad("bad zone offset in time")
		}
		offset = hh*3600 + mm*60
		if s[0] == '-' {
			offset = -offset
		}
	default:
		return bad("bad zone in time")
	}
	// Ptime.of_date_time checks every field; second 60 means the next
	// minute, which time.Date's normalisation gives as well.
	if month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 60 ||
		day > daysIn(year, month) {
		return bad("out-of-range field in time")
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, ms*int(time.Millisecond), time.UTC).
		Add(-time.Duration(offset) * time.Second)
	if t.Before(minTime) || !t.Before(maxTime) {
		return bad("time out of range")
	}
	return t, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// appendGenTime writes t as the current builder does: GeneralizedTime in
// UTC, with a fraction only when the sub-second part is non-zero, and then
// always three digits of truncated milliseconds (so under 1 ms gives ".000").
func appendGenTime(dst []byte, t time.Time) ([]byte, error) {
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return nil, fmt.Errorf("time %v outside years 0000-9999", t)
	}
	n := int64(15)
	if t.Nanosecond() != 0 {
		n = 19
	}
	dst = appendHeader(dst, tagGenTime, n)
	dst = t.AppendFormat(dst, "20060102150405")
	if n == 19 {
		ms := t.Nanosecond() / int(time.Millisecond)
		dst = append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	}
	return append(dst, 'Z'), nil
}
