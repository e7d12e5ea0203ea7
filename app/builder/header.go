package builder

import (
	"strings"
	"time"
)

// The functions below decode the small header fields from their complete
// contents; the streaming Decoder reads each into memory first, which its
// header limit bounds. Job and console are read element by element
// (decode_text.go).

// checkPath applies Fpath.of_string's rule: non-empty and no NUL. Other
// oddities ("..", absolute paths) are the ingest layer's business.
func checkPath(p []byte, where string) error {
	if len(p) == 0 {
		return malformedf(where, "empty path")
	}
	if strings.IndexByte(string(p), 0) >= 0 {
		return malformedf(where, "path %q contains NUL", p)
	}
	return nil
}

func parseUUID(c []byte) ([16]byte, error) {
	var u [16]byte
	if len(c) != 16 {
		return u, malformedf("uuid", "%d bytes, want 16", len(c))
	}
	copy(u[:], c)
	return u, nil
}

func parseTimestamps(c []byte) (start, finish time.Time, err error) {
	s := der(c)
	one := func(where string) (time.Time, error) {
		if len(s) == 0 {
			return time.Time{}, malformedf(where, "missing time")
		}
		tag, tc, err := s.next(where)
		if err != nil {
			return time.Time{}, err
		}
		if tag != tagUTCTime && tag != tagGenTime {
			return time.Time{}, malformedf(where, "expected UTCTime or GeneralizedTime, got %s", tagName(tag))
		}
		t, err := parseTime(tag, tc)
		if err != nil {
			return time.Time{}, malformedf(where, "%v", err)
		}
		return t, nil
	}
	if start, err = one("timestamps: started"); err != nil {
		return
	}
	if finish, err = one("timestamps: finished"); err != nil {
		return
	}
	err = s.end("timestamps")
	return
}

// parseResult decodes the contents of the Result CHOICE alternative tag.
func parseResult(tag byte, c []byte) (Result, error) {
	s := der(c)
	var r Result
	switch tag {
	case tagContext | 0, tagContext | 1, tagContext | 2:
		ic, err := s.expect(tagInteger, "result")
		if err != nil {
			return r, err
		}
		v, problem := parseInt(ic)
		if problem != "" {
			return r, malformedf("result", "%s", problem)
		}
		r = Result{Kind: Exited + ResultKind(tag&0x1F), Code: v}
	case tagContext | 3:
		m, err := s.expect(tagUTF8String, "result")
		if err != nil {
			return r, err
		}
		r = Result{Kind: Msg, Msg: string(m)}
	default:
		return r, malformedf("result", "expected [0]..[3] EXPLICIT, got %s", tagName(tag))
	}
	return r, s.end("result")
}
