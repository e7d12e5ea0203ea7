package builder

import (
	"fmt"
	"strings"
	"time"
)

// The functions below decode the header fields from their complete
// contents; the streaming Decoder reads each field into memory first, which
// its header limit bounds.

// parseJob decodes ScriptJob contents: name, script, the legacy input
// files (checked and dropped) and the optional platform.
func parseJob(c []byte) (Job, error) {
	s := der(c)
	name, err := s.expect(tagUTF8String, "job: name")
	if err != nil {
		return Job{}, err
	}
	script, err := s.expect(tagUTF8String, "job: script")
	if err != nil {
		return Job{}, err
	}
	files, err := s.expect(tagSequence, "job: files")
	if err != nil {
		return Job{}, err
	}
	// Builders before 2021-06 sent input files here. The reference still
	// parses them as File values, so a broken one fails the record.
	for fs, i := der(files), 1; len(fs) > 0; i++ {
		where := fmt.Sprintf("job: files: file %d", i)
		f, err := fs.expect(tagSequence, where)
		if err != nil {
			return Job{}, err
		}
		fd := der(f)
		p, err := fd.expect(tagUTF8String, where+": path")
		if err != nil {
			return Job{}, err
		}
		if err := checkPath(p, where+": path"); err != nil {
			return Job{}, err
		}
		if _, err := fd.expect(tagUTF8String, where+": data"); err != nil {
			return Job{}, err
		}
		if err := fd.end(where); err != nil {
			return Job{}, err
		}
	}
	job := Job{Name: string(name), Script: string(script), Platform: "no-platform"}
	if len(s) > 0 {
		p, err := s.expect(tagUTF8String, "job: platform")
		if err != nil {
			return Job{}, err
		}
		job.Platform = string(p)
	}
	return job, s.end("job")
}

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

// countElements counts the well-formed elements at the start of c.
func countElements(c []byte) int {
	n := 0
	for s := der(c); len(s) > 0; n++ {
		if _, _, err := s.next(""); err != nil {
			break
		}
	}
	return n
}

// parseConsole decodes the SEQUENCE OF ConsoleLine contents of n lines (as
// counted by countElements), keeping the file's newest-first order.
func parseConsole(c []byte, n int) ([]ConsoleLine, error) {
	var lines []ConsoleLine
	if n > 0 {
		lines = make([]ConsoleLine, 0, n)
	}
	for s, i := der(c), 1; len(s) > 0; i++ {
		where := fmt.Sprintf("console line %d", i)
		l, err := s.expect(tagSequence, where)
		if err != nil {
			return nil, err
		}
		ld := der(l)
		dc, err := ld.expect(tagInteger, where+": delta")
		if err != nil {
			return nil, err
		}
		delta, problem := parseInt(dc)
		if problem != "" {
			return nil, malformedf(where+": delta", "%s", problem)
		}
		data, err := ld.expect(tagUTF8String, where+": data")
		if err != nil {
			return nil, err
		}
		if err := ld.end(where); err != nil {
			return nil, err
		}
		lines = append(lines, ConsoleLine{Delta: delta, Data: string(data)})
	}
	return lines, nil
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
