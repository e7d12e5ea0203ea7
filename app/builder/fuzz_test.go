package builder

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.data)
	}
	f.Add(record(minJob, minUUID, minConsole, minTimes, minResult, minOutput))
	f.Add(quirk127())
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Decode error does not match ErrMalformed: %v", err)
		}
		// The streaming decoder, fed short reads, must agree. One byte per
		// Read only for small inputs: the seeds include a 1 MiB record.
		var r io.Reader = iotest.HalfReader(bytes.NewReader(b))
		if len(b) < 64<<10 {
			r = iotest.OneByteReader(bytes.NewReader(b))
		}
		h, files, serr := streamDecode(r)
		if (err == nil) != (serr == nil) {
			t.Fatalf("Decode error %v, streaming error %v", err, serr)
		}
		// So must a caller that never reads the files.
		if skipErr := skipFiles(onlyReader{bytes.NewReader(b)}); (err == nil) != (skipErr == nil) {
			t.Fatalf("Decode error %v, skipping error %v", err, skipErr)
		}
		// So must one that streams script and console to sinks, and the
		// sinks must get what Decode keeps.
		var script, console bytes.Buffer
		textErr := streamText(t, b, &script, &console)
		if (err == nil) != (textErr == nil) {
			t.Fatalf("Decode error %v, StreamText error %v", err, textErr)
		}
		if err != nil {
			return
		}
		var want bytes.Buffer
		if err := WriteConsole(&want, e.Console); err != nil {
			t.Fatal(err)
		}
		if script.String() != e.Job.Script || !bytes.Equal(console.Bytes(), want.Bytes()) {
			t.Fatalf("StreamText sinks got script %q, console %q; Decode %q, %q", script.Bytes(), console.Bytes(), e.Job.Script, want.Bytes())
		}
		if !execEqual(&Exec{Header: *h}, &Exec{Header: e.Header}) || len(files) != len(e.Files) {
			t.Fatalf("streaming header %+v, Decode header %+v", h, e.Header)
		}
		for i, f := range e.Files {
			if files[i].path != f.Path || files[i].size != int64(len(f.Data)) || files[i].sha256 != sha(f.Data) {
				t.Fatalf("file %d: streaming %v, Decode %q (%d bytes)", i, files[i], f.Path, len(f.Data))
			}
		}
		enc, err := Encode(e)
		if err != nil {
			// Only times that an offset pushed outside years 0000-9999 cannot be written.
			if y1, y2 := e.Start.Year(), e.Finish.Year(); y1 >= 0 && y1 <= 9999 && y2 >= 0 && y2 <= 9999 {
				t.Fatalf("Encode: %v", err)
			}
			return
		}
		e2, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(x)): %v", err)
		}
		if !execEqual(e, e2) {
			t.Fatalf("Decode(Encode(x)) = %+v, want %+v", e2.Header, e.Header)
		}
	})
}

// streamText decodes a record with StreamText sinks, writing the script
// and console.txt.
func streamText(t *testing.T, b []byte, script, console io.Writer) error {
	f, err := os.Create(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spool := NewConsoleSpool(f)
	d := NewDecoder(bytes.NewReader(b))
	d.StreamText(script, spool)
	if err := skipAll(d); err != nil {
		return err
	}
	_, err = spool.WriteTo(console)
	return err
}

// skipFiles decodes a record without reading any file contents.
func skipFiles(r io.Reader) error {
	return skipAll(NewDecoder(r))
}

func skipAll(d *Decoder) error {
	for {
		if _, _, _, err := d.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func FuzzParseConsole(f *testing.F) {
	f.Add([]byte("0.012s:a:b\n3.207s:b\n"))
	f.Add([]byte("no colon\n:x\n1e3s:y\n-1.5s:z\nNaNs:w\n18446744073.710s:neg\n"))
	for _, v := range loadVectors(f) {
		if e, err := Decode(v.data); err == nil {
			var b bytes.Buffer
			if err := WriteConsole(&b, e.Console); err != nil {
				f.Fatal(err)
			}
			f.Add(b.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := ParseConsole(b)
		if len(lines) > bytes.Count(b, []byte{'\n'})+1 {
			t.Fatalf("%d lines from %d newlines", len(lines), bytes.Count(b, []byte{'\n'}))
		}
		var first, second bytes.Buffer
		if err := WriteConsole(&first, lines); err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if strings.Contains(l.Data, "\n") {
				t.Fatalf("line %q contains a newline", l.Data)
			}
			// Beyond ~11 days float64 seconds no longer hold the digits
			// exactly, and negative deltas print as Duration's unsigned
			// values; the text is only stable inside that range.
			if l.Delta < 0 || l.Delta > 1e15 {
				return
			}
		}
		// EncodeStored reads console.txt as ParseConsole does, except for
		// stamps longer than maxStamp.
		for _, line := range bytes.Split(b, []byte{'\n'}) {
			if i := bytes.IndexByte(line, ':'); i >= maxStamp {
				return
			}
		}
		h := sampleExec().Header
		h.Console = lines
		var want, got bytes.Buffer
		if err := EncodeTo(&want, &h, nil); err != nil {
			t.Fatal(err)
		}
		if err := EncodeStored(&got, &h, io.NewSectionReader(strings.NewReader(h.Job.Script), 0, int64(len(h.Job.Script))),
			io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b))), nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("EncodeStored differs from EncodeTo(ParseConsole) at offset %d", firstDiff(got.Bytes(), want.Bytes()))
		}
		again := ParseConsole(first.Bytes())
		if err := WriteConsole(&second, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("console text not stable:\n%q\n%q", first.Bytes(), second.Bytes())
		}
	})
}

func FuzzParseUUID(f *testing.F) {
	f.Add("01234567-89ab-4def-8123-456789abcdef")
	f.Add("01234567-89AB-4DEF-8123-456789ABCDEF")
	f.Add("0123456789ab4def8123456789abcdef")
	for _, v := range loadVectors(f) {
		if v.want.UUID != "" {
			f.Add(v.want.UUID)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUUID(s)
		if err != nil {
			return
		}
		if got := UUIDString(u); got != strings.ToLower(s) {
			t.Fatalf("UUIDString(ParseUUID(%q)) = %q", s, got)
		}
	})
}
