package builder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// textPart is the script or the console of a record being encoded: its
// encoded contents size, known before any byte is written, and how to
// write them. Either comes from the Header in memory or is streamed from a
// stored file (EncodeStored).
type textPart struct {
	size  int64
	write func(io.Writer) error
}

func memScript(s string) textPart {
	return textPart{size: int64(len(s)), write: func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}}
}

// memConsole encodes the lines of a Header, newest first as they are.
func memConsole(lines []ConsoleLine) textPart {
	var size int64
	for _, l := range lines {
		size += tlvLen(lineLen(l.Delta, int64(len(l.Data))))
	}
	return textPart{size: size, write: func(w io.Writer) error {
		var buf []byte
		for i, l := range lines {
			buf = appendLineHeader(buf, l.Delta, int64(len(l.Data)))
			buf = append(buf, l.Data...)
			if len(buf) >= 32<<10 || i == len(lines)-1 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		return nil
	}}
}

// appendLineHeader encodes a console line up to its data: the line's
// SEQUENCE header, the delta and the data's UTF8String header.
func appendLineHeader(dst []byte, delta, size int64) []byte {
	dst = appendHeader(dst, tagSequence, lineLen(delta, size))
	dst = appendInt(dst, delta)
	return appendHeader(dst, tagUTF8String, size)
}

// writeHeader writes the record up to and including the output
// SEQUENCE's header, the way the current builder does: platform always
// present, job.files always empty, GeneralizedTime, minimal INTEGERs.
// Every length is computed before the first byte goes out.
func writeHeader(w io.Writer, h *Header, script, console textPart, paths []string, sizes []int64) error {
	for _, p := range paths {
		if err := checkPath([]byte(p), "encoding output"); err != nil {
			return err
		}
	}
	var outLen int64
	for i := range paths {
		if sizes[i] < 0 {
			return fmt.Errorf("encoding output %q: negative size %d", paths[i], sizes[i])
		}
		outLen += tlvLen(fileLen(paths[i], sizes[i]))
	}
	start, err := appendGenTime(nil, h.Start)
	if err != nil {
		return fmt.Errorf("encoding start: %w", err)
	}
	finish, err := appendGenTime(nil, h.Finish)
	if err != nil {
		return fmt.Errorf("encoding finish: %w", err)
	}
	// tail: timestamps, result and the output's header
	tail := appendHeader(nil, tagSequence, int64(len(start)+len(finish)))
	tail = append(append(tail, start...), finish...)
	switch r := h.Result; r.Kind {
	case Exited, Signalled, Stopped:
		n := int64(2 + intLen(r.Code))
		tail = appendHeader(tail, tagContext|byte(r.Kind-Exited), n)
		tail = appendInt(tail, r.Code)
	case Msg:
		tail = appendHeader(tail, tagContext|3, tlvLen(int64(len(r.Msg))))
		tail = appendString(tail, r.Msg)
	default:
		return fmt.Errorf("encoding result: unknown kind %d", r.Kind)
	}
	outHdr := appendHeader(nil, tagSequence, outLen)

	jobLen := tlvLen(int64(len(h.Job.Name))) + tlvLen(script.size) +
		tlvLen(0) + tlvLen(int64(len(h.Job.Platform)))
	execLen := tlvLen(jobLen) + tlvLen(16) + tlvLen(console.size) +
		int64(len(tail)) + int64(len(outHdr)) + outLen

	buf := appendHeader(nil, tagContext|0, tlvLen(execLen))
	buf = appendHeader(buf, tagSequence, execLen)
	buf = appendHeader(buf, tagSequence, jobLen)
	buf = appendString(buf, h.Job.Name)
	buf = appendHeader(buf, tagUTF8String, script.size)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("writing record header: %w", err)
	}
	if err := script.write(w); err != nil {
		return fmt.Errorf("writing script: %w", err)
	}
	buf = appendHeader(buf[:0], tagSequence, 0)
	buf = appendString(buf, h.Job.Platform)
	buf = appendHeader(buf, tagUTF8String, 16)
	buf = append(buf, h.UUID[:]...)
	buf = appendHeader(buf, tagSequence, console.size)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("writing record header: %w", err)
	}
	if err := console.write(w); err != nil {
		return fmt.Errorf("writing console: %w", err)
	}
	if _, err := w.Write(append(tail, outHdr...)); err != nil {
		return fmt.Errorf("writing record header: %w", err)
	}
	return nil
}

// lineLen is the contents size of a console line's SEQUENCE.
func lineLen(delta, size int64) int64 {
	return 2 + int64(intLen(delta)) + tlvLen(size)
}

func fileLen(path string, size int64) int64 {
	return tlvLen(int64(len(path))) + tlvLen(size)
}

// framing returns the bytes that open the record, up to the first file,
// given the files' paths and sizes.
func framing(h *Header, paths []string, sizes []int64) ([]byte, error) {
	var b bytes.Buffer
	if err := writeHeader(&b, h, memScript(h.Job.Script), memConsole(h.Console), paths, sizes); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Encode encodes a record in memory, byte-identical to builder's output
// for the same value.
func Encode(e *Exec) ([]byte, error) {
	paths := make([]string, len(e.Files))
	sizes := make([]int64, len(e.Files))
	var total int64
	for i, f := range e.Files {
		paths[i], sizes[i] = f.Path, int64(len(f.Data))
		total += tlvLen(fileLen(f.Path, sizes[i]))
	}
	prefix, err := framing(&e.Header, paths, sizes)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, int64(len(prefix))+total)
	out = append(out, prefix...)
	for _, f := range e.Files {
		out = appendHeader(out, tagSequence, fileLen(f.Path, int64(len(f.Data))))
		out = appendString(out, f.Path)
		out = appendHeader(out, tagUTF8String, int64(len(f.Data)))
		out = append(out, f.Data...)
	}
	return out, nil
}

// EncodeTo streams a record to w. Lengths are computed up front from each
// FileSource's Size, so a source that yields a different number of bytes
// is an error; by then part of the record has been written and w must be
// discarded.
func EncodeTo(w io.Writer, h *Header, files []FileSource) error {
	paths := make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		paths[i], sizes[i] = f.Path, f.Size
	}
	if err := writeHeader(w, h, memScript(h.Job.Script), memConsole(h.Console), paths, sizes); err != nil {
		return err
	}
	return writeFiles(w, files)
}

// EncodeStored streams a record to w like EncodeTo, but takes the script
// from script (script.txt) and the console from console (console.txt as
// WriteConsole writes it, parsed back as ParseConsole does), ignoring the
// Header's. Neither is held in memory: console.txt is read twice, once
// for the console's length and once, backwards, for its lines.
func EncodeStored(w io.Writer, h *Header, script, console *io.SectionReader, files []FileSource) error {
	paths := make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		paths[i], sizes[i] = f.Path, f.Size
	}
	cons, err := storedConsole(console)
	if err != nil {
		return err
	}
	sp := textPart{size: script.Size(), write: func(w io.Writer) error {
		_, err := io.Copy(w, io.NewSectionReader(script, 0, script.Size()))
		return err
	}}
	if err := writeHeader(w, h, sp, cons, paths, sizes); err != nil {
		return err
	}
	return writeFiles(w, files)
}

func writeFiles(w io.Writer, files []FileSource) error {
	var hdr []byte
	for _, f := range files {
		hdr = appendHeader(hdr[:0], tagSequence, fileLen(f.Path, f.Size))
		hdr = appendString(hdr, f.Path)
		hdr = appendHeader(hdr, tagUTF8String, f.Size)
		if _, err := w.Write(hdr); err != nil {
			return fmt.Errorf("writing output %q: %w", f.Path, err)
		}
		if err := copySource(w, f); err != nil {
			return fmt.Errorf("writing output %q: %w", f.Path, err)
		}
	}
	return nil
}

var errSizeMismatch = errors.New("source size differs from FileSource.Size")

func copySource(w io.Writer, f FileSource) (err error) {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rc.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	n, err := io.CopyN(w, rc, f.Size)
	if err == io.EOF {
		return fmt.Errorf("%w: got %d bytes, want %d", errSizeMismatch, n, f.Size)
	}
	if err != nil {
		return err
	}
	// The length is already written; an extra byte would corrupt the record.
	var one [1]byte
	switch k, err := io.ReadFull(rc, one[:]); {
	case k > 0:
		return fmt.Errorf("%w: more than %d bytes", errSizeMismatch, f.Size)
	case err != io.EOF:
		return err
	}
	return nil
}
