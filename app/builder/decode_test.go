package builder

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

func execEqual(a, b *Exec) bool {
	if a.Job != b.Job || a.UUID != b.UUID || a.Result != b.Result ||
		!a.Start.Equal(b.Start) || !a.Finish.Equal(b.Finish) ||
		len(a.Console) != len(b.Console) || len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Console {
		if a.Console[i] != b.Console[i] {
			return false
		}
	}
	for i := range a.Files {
		if a.Files[i].Path != b.Files[i].Path || !bytes.Equal(a.Files[i].Data, b.Files[i].Data) {
			return false
		}
	}
	return true
}

// tlv builds one element from its parts, for hand-made records.
func tlv(tag byte, parts ...[]byte) []byte {
	c := bytes.Join(parts, nil)
	return append(appendHeader(nil, tag, int64(len(c))), c...)
}

func str(s string) []byte { return tlv(tagUTF8String, []byte(s)) }

// parts of the minimal vector (upload-format.md §7)
var (
	minJob     = tlv(tagSequence, str("m"), str("s"), tlv(tagSequence), str("p"))
	minUUID    = tlv(tagUTF8String, bytes.Repeat([]byte{1}, 16))
	minConsole = tlv(tagSequence, tlv(tagSequence, []byte{2, 1, 0}, str("")))
	minTimes   = tlv(tagSequence, tlv(tagGenTime, []byte("20240102030405.001Z")), tlv(tagGenTime, []byte("20240102030406.010Z")))
	minResult  = tlv(tagContext, []byte{2, 1, 0})
	minOutput  = tlv(tagSequence, tlv(tagSequence, str("bin/x"), str("hello")))
)

func record(fields ...[]byte) []byte {
	return tlv(tagContext, tlv(tagSequence, fields...))
}

func minimalWith(i int, field []byte) []byte {
	f := [][]byte{minJob, minUUID, minConsole, minTimes, minResult, minOutput}
	f[i] = field
	return record(f...)
}

func TestDecodeHandMade(t *testing.T) {
	good := record(minJob, minUUID, minConsole, minTimes, minResult, minOutput)
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"control", good, true},
		{"never alternative [1] NULL", []byte{0xA1, 0x02, 0x05, 0x00}, false},
		{"outer 81 7F quirk accepted", quirk127(), true},
		{"redundant long form 81 05", append([]byte{0xA0, 0x81, byte(len(good) - 2)}, good[2:]...), false},
		{"long form with leading zero", append([]byte{0xA0, 0x82, 0x00, byte(len(good) - 2)}, good[2:]...), false},
		{"length of 9 octets", []byte{0xA0, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0}, false},
		{"huge declared length", []byte{0xA0, 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x30}, false},
		{"4-byte length, nothing sent", []byte{0xA0, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xF9, 0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xF0}, false},
		{"two elements in [0]", tlv(tagContext, good[2:], []byte{5, 0}), false},
		{"extra exec element", record(minJob, minUUID, minConsole, minTimes, minResult, minOutput, str("x")), false},
		{"missing output", record(minJob, minUUID, minConsole, minTimes, minResult), false},
		{"constructed name", minimalWith(0, tlv(tagSequence, tlv(0x2C, str("m")), str("s"), tlv(tagSequence), str("p"))), false},
		{"job without platform", minimalWith(0, tlv(tagSequence, str("m"), str("s"), tlv(tagSequence))), true},
		{"job with extra element", minimalWith(0, tlv(tagSequence, str("m"), str("s"), tlv(tagSequence), str("p"), str("q"))), false},
		{"job platform wrong tag", minimalWith(0, tlv(tagSequence, str("m"), str("s"), tlv(tagSequence), []byte{2, 1, 0})), false},
		{"job without files", minimalWith(0, tlv(tagSequence, str("m"), str("s"))), false},
		{"legacy job files", minimalWith(0, tlv(tagSequence, str("m"), str("s"), tlv(tagSequence, tlv(tagSequence, str("in"), str("data"))))), true},
		{"legacy job file empty path", minimalWith(0, tlv(tagSequence, str("m"), str("s"), tlv(tagSequence, tlv(tagSequence, str(""), str("data"))))), false},
		{"uuid 17 bytes", minimalWith(1, tlv(tagUTF8String, make([]byte, 17))), false},
		{"delta empty INTEGER", minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 0}, str("")))), false},
		{"delta non-minimal 00 01", minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 2, 0, 1}, str("")))), false},
		{"delta non-minimal FF 80", minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 2, 0xFF, 0x80}, str("")))), false},
		{"delta 8 octets", minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 8, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, str("")))), true},
		{"console line extra element", minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 1, 0}, str(""), str("")))), false},
		{"console line overruns", minimalWith(2, tlv(tagSequence, []byte{0x30, 0x09, 2, 1, 0, 0x0C, 0})), false},
		{"one time only", minimalWith(3, tlv(tagSequence, tlv(tagGenTime, []byte("20240102030405Z")))), false},
		{"UTCTime", minimalWith(3, tlv(tagSequence, tlv(tagUTCTime, []byte("240102030405Z")), tlv(tagUTCTime, []byte("240102030405Z")))), true},
		{"time as OCTET STRING", minimalWith(3, tlv(tagSequence, tlv(0x04, []byte("20240102030405Z")), tlv(tagGenTime, []byte("20240102030405Z")))), false},
		{"result signalled -7", minimalWith(4, tlv(tagContext|1, []byte{2, 1, 0xF9})), true},
		{"result msg", minimalWith(4, tlv(tagContext|3, str("path already existed"))), true},
		{"result msg as INTEGER", minimalWith(4, tlv(tagContext|3, []byte{2, 1, 0})), false},
		{"result [4]", minimalWith(4, tlv(tagContext|4, []byte{2, 1, 0})), false},
		{"result primitive [0]", minimalWith(4, []byte{0x80, 1, 0}), false},
		{"result two elements", minimalWith(4, tlv(tagContext, []byte{2, 1, 0, 2, 1, 0})), false},
		{"file extra element", minimalWith(5, tlv(tagSequence, tlv(tagSequence, str("a"), str("b"), str("c")))), false},
		{"file without data", minimalWith(5, tlv(tagSequence, tlv(tagSequence, str("a")))), false},
		{"file NUL path", minimalWith(5, tlv(tagSequence, tlv(tagSequence, str("a\x00"), str("b")))), false},
		{"file odd paths kept", minimalWith(5, tlv(tagSequence, tlv(tagSequence, str("../a//b"), str("")), tlv(tagSequence, str("/abs"), str("")))), true},
		{"file constructed data", minimalWith(5, tlv(tagSequence, tlv(tagSequence, str("a"), tlv(0x2C, str("b"))))), false},
		{"output element not a SEQUENCE", minimalWith(5, tlv(tagSequence, str("a"))), false},
		{"multi-octet tag", []byte{0xBF, 0x20, 0x00}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode(tt.in)
			if tt.ok && err != nil {
				t.Fatalf("Decode: %v, want success", err)
			}
			if !tt.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode = %v, want ErrMalformed", err)
			}
			_, _, serr := streamDecode(onlyReader{bytes.NewReader(tt.in)})
			if (err == nil) != (serr == nil) {
				t.Errorf("streaming error = %v, Decode error = %v", serr, err)
			}
			if e != nil && tt.name == "job without platform" && e.Job.Platform != "no-platform" {
				t.Errorf("platform = %q, want no-platform", e.Job.Platform)
			}
		})
	}
}

// quirk127 is a record whose job name is 124 bytes long, so that the job
// SEQUENCE has length 127 written in the redundant long form 81 7F, which
// the reference accepts.
func quirk127() []byte {
	name := strings.Repeat("n", 127-2-3-2-3)
	job := append([]byte{tagSequence, 0x81, 0x7F}, bytes.Join([][]byte{str(name), str("s"), tlv(tagSequence), str("p")}, nil)...)
	if len(job) != 3+127 {
		panic("bad quirk record")
	}
	return record(job, minUUID, minConsole, minTimes, minResult, minOutput)
}

func TestDecodeErrorText(t *testing.T) {
	in := minimalWith(2, tlv(tagSequence, tlv(tagSequence, []byte{2, 1, 0}, str("")), tlv(tagSequence, []byte{2, 1, 0}, str("")), tlv(tagSequence, []byte{2, 2, 0, 1}, str(""))))
	_, err := Decode(in)
	const want = "malformed builder record: console line 3: delta: non-minimal INTEGER"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestDecodeTruncated(t *testing.T) {
	good := record(minJob, minUUID, minConsole, minTimes, minResult, minOutput)
	for n := range len(good) {
		_, err := Decode(good[:n])
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("Decode(first %d bytes) = %v, want ErrMalformed and io.ErrUnexpectedEOF", n, err)
		}
		_, _, err = streamDecode(onlyReader{bytes.NewReader(good[:n])})
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("stream of first %d bytes: %v, want ErrMalformed and io.ErrUnexpectedEOF", n, err)
		}
	}
}

type transportError struct{}

func (transportError) Error() string { return "connection reset" }

// failAfter returns b's first n bytes, then err.
type failAfter struct {
	b   []byte
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := copy(p[:min(len(p), f.n)], f.b)
	f.b, f.n = f.b[k:], f.n-k
	return k, nil
}

// A failing body (http.MaxBytesError, a reset connection) must surface as
// itself, not as a malformed record, so that the HTTP layer picks 413 or
// drops the connection instead of answering 400.
func TestDecodeTransportError(t *testing.T) {
	good := record(minJob, minUUID, minConsole, minTimes, minResult, minOutput)
	for n := range len(good) + 1 {
		_, _, err := streamDecode(&failAfter{b: good, n: n, err: transportError{}})
		var te transportError
		if !errors.As(err, &te) || errors.Is(err, ErrMalformed) || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("failing after %d bytes: %v, want transportError and not ErrMalformed", n, err)
		}
	}
}

func TestDecoderFileReaders(t *testing.T) {
	out := tlv(tagSequence,
		tlv(tagSequence, str("a"), str("first file")),
		tlv(tagSequence, str("b"), str("")),
		tlv(tagSequence, str("c"), str("third")))
	d := NewDecoder(bytes.NewReader(record(minJob, minUUID, minConsole, minTimes, minResult, out)))
	path, size, data, err := d.Next() // Header read implicitly
	if err != nil || path != "a" || size != 10 {
		t.Fatalf("Next = %q %d %v, want a 10", path, size, err)
	}
	var two [2]byte
	if _, err := io.ReadFull(data, two[:]); err != nil || string(two[:]) != "fi" {
		t.Fatalf("read %q %v", two, err)
	}
	// leave the rest unread: Next must skip it
	if path, size, _, err = d.Next(); err != nil || path != "b" || size != 0 {
		t.Fatalf("Next = %q %d %v, want b 0", path, size, err)
	}
	if _, err := data.Read(two[:]); err == nil {
		t.Errorf("stale reader still reads")
	}
	_, _, data, err = d.Next()
	if b, rerr := io.ReadAll(data); err != nil || rerr != nil || string(b) != "third" {
		t.Fatalf("third file = %q %v %v", b, err, rerr)
	}
	for range 2 {
		if _, _, _, err := d.Next(); err != io.EOF {
			t.Fatalf("Next after last = %v, want io.EOF", err)
		}
	}
	if h, err := d.Header(); err != nil || h.Job.Name != "m" {
		t.Errorf("Header after EOF = %v %v", h, err)
	}
}

func TestDecoderTrailingAfterStream(t *testing.T) {
	in := append(record(minJob, minUUID, minConsole, minTimes, minResult, minOutput), 0)
	d := NewDecoder(onlyReader{bytes.NewReader(in)})
	if _, _, _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := d.Next(); !errors.Is(err, ErrMalformed) {
		t.Errorf("Next = %v, want trailing bytes error", err)
	}
}

func TestDecoderHeaderLimit(t *testing.T) {
	in := record(minJob, minUUID, minConsole, minTimes, minResult, minOutput)
	_, err := NewDecoderLimit(bytes.NewReader(in), 20).Header()
	if !errors.Is(err, ErrHeaderTooLarge) || !errors.Is(err, ErrMalformed) {
		t.Errorf("Header with 20-byte limit = %v, want ErrHeaderTooLarge", err)
	}
	if _, err := NewDecoderLimit(bytes.NewReader(in), 200).Header(); err != nil {
		t.Errorf("Header with 200-byte limit = %v", err)
	}
	// 100 empty lines are 700 bytes encoded but 100 ConsoleLine values in
	// memory, which the limit counts as well.
	line := tlv(tagSequence, []byte{2, 1, 0}, str(""))
	in = minimalWith(2, tlv(tagSequence, bytes.Repeat(line, 100)))
	if _, err := NewDecoderLimit(bytes.NewReader(in), 1000).Header(); !errors.Is(err, ErrHeaderTooLarge) {
		t.Errorf("Header of 100 lines with 1000-byte limit = %v, want ErrHeaderTooLarge", err)
	}
	if h, err := NewDecoderLimit(bytes.NewReader(in), 4000).Header(); err != nil || len(h.Console) != 100 {
		t.Errorf("Header of 100 lines with 4000-byte limit = %v", err)
	}
}

// A console claiming 200 MiB (within the header limit) must not make the
// decoder allocate it before the bytes arrive.
func TestDecoderHostileLength(t *testing.T) {
	in := []byte{0xA0, 0x84, 0x7F, 0xFF, 0xFF, 0xF0, 0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xEA}
	in = append(in, minJob...)
	in = append(in, minUUID...)
	in = append(in, 0x30, 0x84, 0x0C, 0x80, 0x00, 0x00) // console of 200 MiB, then EOF
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewDecoder(onlyReader{bytes.NewReader(in)}).Header()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Header = %v, want truncation", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes for a hostile length", got)
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ms int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, time.UTC)
	}
	tests := []struct {
		tag  byte
		in   string
		want time.Time // zero: must fail
	}{
		{tagGenTime, "20240102030405Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{tagGenTime, "20240102030405.001Z", utc(2024, 1, 2, 3, 4, 5, 1)},
		{tagGenTime, "20240102030405.5Z", utc(2024, 1, 2, 3, 4, 5, 5)},
		{tagGenTime, "20240102030405.50Z", utc(2024, 1, 2, 3, 4, 5, 50)},
		{tagGenTime, "20240102030405.1234Z", utc(2024, 1, 2, 3, 4, 5, 123)},
		{tagGenTime, "20240102030405.123456789Z", utc(2024, 1, 2, 3, 4, 5, 123)},
		{tagGenTime, "20240102030405", utc(2024, 1, 2, 3, 4, 5, 0)},
		{tagGenTime, "20240102030405.100", utc(2024, 1, 2, 3, 4, 5, 100)},
		{tagGenTime, "202401020304Z", utc(2024, 1, 2, 3, 4, 0, 0)},
		{tagGenTime, "2024010203Z", utc(2024, 1, 2, 3, 0, 0, 0)},
		{tagGenTime, "20240102030405+0130", utc(2024, 1, 2, 1, 34, 5, 0)},
		{tagGenTime, "20240102030405-0130", utc(2024, 1, 2, 4, 34, 5, 0)},
		{tagGenTime, "20240102030405.250+0100", utc(2024, 1, 2, 2, 4, 5, 250)},
		{tagGenTime, "20231231235960Z", utc(2024, 1, 1, 0, 0, 0, 0)},
		{tagUTCTime, "490301100000Z", utc(2049, 3, 1, 10, 0, 0, 0)},
		{tagUTCTime, "500301100000Z", utc(1950, 3, 1, 10, 0, 0, 0)},
		{tagUTCTime, "990301100000Z", utc(1999, 3, 1, 10, 0, 0, 0)},
		{tagUTCTime, "2305170830Z", utc(2023, 5, 17, 8, 30, 0, 0)},
		{tagUTCTime, "230517083012+0200", utc(2023, 5, 17, 6, 30, 12, 0)},
		{tagUTCTime, "230517083012", time.Time{}},
		{tagUTCTime, "230517083012.5Z", time.Time{}},
		{tagGenTime, "", time.Time{}},
		{tagGenTime, "2024", time.Time{}},
		{tagGenTime, "20241302030405Z", time.Time{}},
		{tagGenTime, "20240230030405Z", time.Time{}},
		{tagGenTime, "20240102240405Z", time.Time{}},
		{tagGenTime, "20240102036005Z", time.Time{}},
		{tagGenTime, "20240102030461Z", time.Time{}},
		{tagGenTime, "20240102030405.Z", time.Time{}},
		{tagGenTime, "20240102030405ZZ", time.Time{}},
		{tagGenTime, "20240102030405+01", time.Time{}},
		{tagGenTime, "20240102030405z", time.Time{}},
		{tagGenTime, "99991231235959-0100", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.tag, []byte(tt.in))
			if tt.want.IsZero() {
				if err == nil {
					t.Errorf("parseTime = %v, want error", got)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("parseTime = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
