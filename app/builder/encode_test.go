package builder

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func sampleExec() *Exec {
	return &Exec{
		Header: Header{
			Job:  Job{Name: "job", Script: "#!/bin/sh\n", Platform: "debian-12"},
			UUID: [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
			Console: []ConsoleLine{
				{Delta: 1 << 40, Data: strings.Repeat("x", 300)},
				{Delta: -7, Data: ""},
			},
			Start:  time.Date(2024, 1, 2, 3, 4, 5, 1e6, time.UTC),
			Finish: time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC),
			Result: Result{Kind: Signalled, Code: -7},
		},
		Files: []File{
			{Path: "bin/a", Data: bytes.Repeat([]byte{0xEE}, 70000)},
			{Path: "empty", Data: nil},
			{Path: "small", Data: []byte("hi")},
		},
	}
}

func sources(files []File) []FileSource {
	var s []FileSource
	for _, f := range files {
		s = append(s, FileSource{Path: f.Path, Size: int64(len(f.Data)), Open: opener(f.Data)})
	}
	return s
}

func TestEncodeRoundTrip(t *testing.T) {
	e := sampleExec()
	b, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode(Encode(x)): %v", err)
	}
	if !execEqual(got, e) {
		t.Errorf("Decode(Encode(x)) = %+v, want %+v", got.Header, e.Header)
	}
	var buf bytes.Buffer
	if err := EncodeTo(&buf, &e.Header, sources(e.Files)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), b) {
		t.Errorf("EncodeTo differs from Encode at offset %d", firstDiff(buf.Bytes(), b))
	}
}

func TestEncodeTimes(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "\x18\x0f20240102030405Z"},
		{time.Date(2024, 1, 2, 3, 4, 5, 10e6, time.UTC), "\x18\x1320240102030405.010Z"},
		{time.Date(2024, 1, 2, 3, 4, 5, 999999999, time.UTC), "\x18\x1320240102030405.999Z"},
		// below 1 ms but not zero: builder writes ".000"
		{time.Date(2024, 1, 2, 3, 4, 5, 500, time.UTC), "\x18\x1320240102030405.000Z"},
		{time.Date(2024, 1, 2, 4, 4, 5, 0, time.FixedZone("x", 3600)), "\x18\x0f20240102030405Z"},
		{time.Date(5, 1, 2, 3, 4, 5, 0, time.UTC), "\x18\x0f00050102030405Z"},
	}
	for _, tt := range tests {
		got, err := appendGenTime(nil, tt.t)
		if err != nil || string(got) != tt.want {
			t.Errorf("appendGenTime(%v) = %q, %v; want %q", tt.t, got, err, tt.want)
		}
	}
	if _, err := appendGenTime(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("year 10000 encoded")
	}
}

func TestEncodeInts(t *testing.T) {
	tests := []struct {
		v    int64
		want []byte
	}{
		{0, []byte{2, 1, 0}},
		{127, []byte{2, 1, 0x7F}},
		{128, []byte{2, 2, 0, 0x80}},
		{255, []byte{2, 2, 0, 0xFF}},
		{-7, []byte{2, 1, 0xF9}},
		{-128, []byte{2, 1, 0x80}},
		{-129, []byte{2, 2, 0xFF, 0x7F}},
		{1 << 62, []byte{2, 8, 0x40, 0, 0, 0, 0, 0, 0, 0}},
		{-1 << 63, []byte{2, 8, 0x80, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		got := appendInt(nil, tt.v)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("appendInt(%d) = % x, want % x", tt.v, got, tt.want)
		}
		if v, problem := parseInt(got[2:]); v != tt.v || problem != "" {
			t.Errorf("parseInt(% x) = %d %q, want %d", got[2:], v, problem, tt.v)
		}
	}
	lengths := []struct {
		n    int64
		want []byte
	}{
		{0, []byte{0x0C, 0}},
		{127, []byte{0x0C, 0x7F}},
		{128, []byte{0x0C, 0x81, 0x80}},
		{0x92, []byte{0x0C, 0x81, 0x92}},
		{256, []byte{0x0C, 0x82, 1, 0}},
		{1 << 20, []byte{0x0C, 0x83, 0x10, 0, 0}},
	}
	for _, tt := range lengths {
		if got := appendHeader(nil, tagUTF8String, tt.n); !bytes.Equal(got, tt.want) {
			t.Errorf("appendHeader(%d) = % x, want % x", tt.n, got, tt.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Exec)
	}{
		{"empty path", func(e *Exec) { e.Files[0].Path = "" }},
		{"NUL in path", func(e *Exec) { e.Files[0].Path = "a\x00" }},
		{"unknown result kind", func(e *Exec) { e.Result.Kind = 7 }},
		{"year out of range", func(e *Exec) { e.Finish = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		e := sampleExec()
		tt.change(e)
		if _, err := Encode(e); err == nil {
			t.Errorf("%s: Encode succeeded", tt.name)
		}
	}
}

type closeCounter struct {
	io.Reader
	closed *int
}

func (c closeCounter) Close() error { *c.closed++; return nil }

func TestEncodeToSizeMismatch(t *testing.T) {
	e := sampleExec()
	for _, delta := range []int64{-1, 1} {
		closed := 0
		src := sources(e.Files)
		src[2].Size += delta
		src[2].Open = func() (io.ReadCloser, error) {
			return closeCounter{strings.NewReader("hi"), &closed}, nil
		}
		err := EncodeTo(io.Discard, &e.Header, src)
		if !errors.Is(err, errSizeMismatch) {
			t.Errorf("size off by %d: EncodeTo = %v, want size mismatch", delta, err)
		}
		if closed != 1 {
			t.Errorf("size off by %d: source closed %d times, want 1", delta, closed)
		}
	}
	openErr := errors.New("gone")
	src := sources(e.Files)
	src[1].Open = func() (io.ReadCloser, error) { return nil, openErr }
	if err := EncodeTo(io.Discard, &e.Header, src); !errors.Is(err, openErr) {
		t.Errorf("EncodeTo = %v, want the Open error", err)
	}
}
