package builder

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigConsole has lines longer than the backwards window, a console longer
// than several windows, and the odd bytes a console holds (newlines inside
// a line, negative deltas, empty lines), newest first.
func bigConsole() []ConsoleLine {
	lines := []ConsoleLine{
		{Delta: 9e9, Data: "last"},
		{Delta: 8e9, Data: strings.Repeat("x", 3*windowSize+17)},
		{Delta: -1, Data: "negative"},
		{Delta: 7e9, Data: "with\nnewline:inside"},
		{Delta: 6e9, Data: ""},
		{Delta: 5e9, Data: strings.Repeat("y", windowSize-20)},
	}
	for i := range 40000 {
		lines = append(lines, ConsoleLine{Delta: int64(40000-i) * 1e5, Data: strings.Repeat("z", i%97)})
	}
	return append(lines, ConsoleLine{Delta: 0, Data: "first"})
}

func tempFile(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestConsoleSpool(t *testing.T) {
	for name, lines := range map[string][]ConsoleLine{"empty": nil, "one": {{Delta: 1, Data: "a"}}, "big": bigConsole()} {
		t.Run(name, func(t *testing.T) {
			var want bytes.Buffer
			if err := WriteConsole(&want, lines); err != nil {
				t.Fatal(err)
			}
			s := NewConsoleSpool(tempFile(t, "spool"))
			for _, l := range lines {
				if err := s.Line(l.Delta, int64(len(l.Data)), strings.NewReader(l.Data)); err != nil {
					t.Fatal(err)
				}
			}
			var got bytes.Buffer
			n, err := s.WriteTo(&got)
			if err != nil || n != int64(got.Len()) {
				t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, got.Len())
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("spooled console.txt (%d bytes) differs from WriteConsole's (%d bytes)", got.Len(), want.Len())
			}
		})
	}
}

// The streaming decoder hands script and console to its sinks; what they
// receive must be what Decode keeps.
func TestDecoderStreamText(t *testing.T) {
	e := sampleExec()
	e.Console = bigConsole()
	e.Job.Script = strings.Repeat("echo script\n", 50000)
	rec, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	var script bytes.Buffer
	spool := NewConsoleSpool(tempFile(t, "spool"))
	d := NewDecoderLimit(bytes.NewReader(rec), 4096)
	d.StreamText(&script, spool)
	h, err := d.Header()
	if err != nil {
		t.Fatalf("Header with a 4 KiB limit: %v", err)
	}
	if h.Job.Script != "" || h.Console != nil || h.Job.Name != e.Job.Name || h.UUID != e.UUID {
		t.Errorf("streamed header = %+v", h.Job)
	}
	if script.String() != e.Job.Script {
		t.Errorf("script sink got %d bytes, want %d", script.Len(), len(e.Job.Script))
	}
	var got, want bytes.Buffer
	if _, err := spool.WriteTo(&got); err != nil {
		t.Fatal(err)
	}
	if err := WriteConsole(&want, e.Console); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("console sink wrote %d bytes, WriteConsole %d", got.Len(), want.Len())
	}
	if _, _, _, err := d.Next(); err != nil {
		t.Errorf("Next after streamed header: %v", err)
	}
}

// EncodeStored re-encodes console.txt and script.txt as they are on disk;
// the record must be the one EncodeTo makes from ParseConsole's lines.
func TestEncodeStored(t *testing.T) {
	var big bytes.Buffer
	if err := WriteConsole(&big, bigConsole()); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{
		"empty":      "",
		"odd lines":  "no colon\n:starts with colon\nx:not a number\n1.000s:kept\n\n\n2:no s\r\n1.5s:no newline",
		"long stamp": strings.Repeat("1", maxStamp-2) + "s:kept\n" + strings.Repeat("1", maxStamp) + ":skipped\n",
		"big":        big.String(),
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			e := sampleExec()
			e.Job.Script = "#!/bin/sh\n" + name
			h := e.Header
			parsed := text
			if name == "long stamp" { // beyond maxStamp: skipped on purpose
				parsed = text[:strings.IndexByte(text, '\n')]
			}
			h.Console = ParseConsole([]byte(parsed))
			var want bytes.Buffer
			if err := EncodeTo(&want, &h, sources(e.Files)); err != nil {
				t.Fatal(err)
			}
			stored := e.Header
			stored.Job.Script, stored.Console = "ignored", []ConsoleLine{{Data: "ignored"}}
			script := io.NewSectionReader(strings.NewReader(e.Job.Script), 0, int64(len(e.Job.Script)))
			console := io.NewSectionReader(strings.NewReader(text), 0, int64(len(text)))
			var got bytes.Buffer
			if err := EncodeStored(&got, &stored, script, console, sources(e.Files)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("EncodeStored wrote %d bytes, EncodeTo %d; they differ", got.Len(), want.Len())
			}
		})
	}
}
