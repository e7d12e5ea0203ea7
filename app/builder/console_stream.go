package builder

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Records hold the console newest first and console.txt holds it oldest
// first, so both directions reverse the order of lines. The functions here
// do it with memory bounded independently of the console's size: they read
// files backwards through a window of windowSize bytes, and a line that
// does not fit the window is copied straight from the file.

const (
	windowSize = 256 << 10
	// maxStamp bounds the part of a console.txt line before its first ':'
	// that is parsed as the time stamp. WriteConsole writes a dozen
	// characters; a line whose first ':' comes later is skipped, where
	// ParseConsole would still try to read its megabytes as a number.
	maxStamp = 4 << 10
)

// backReader reads a file from its end towards its start through a
// window buffer.
type backReader struct {
	r     io.ReaderAt
	win   []byte // the file's bytes [start, start+len(win))
	start int64
}

func newBackReader(r io.ReaderAt) *backReader {
	return &backReader{r: r, win: make([]byte, 0, windowSize)}
}

// fill loads the window ending at off.
func (b *backReader) fill(off int64) error {
	start := max(0, off-int64(cap(b.win)))
	b.win = b.win[:off-start]
	b.start = start
	if k, err := b.r.ReadAt(b.win, start); k < len(b.win) {
		b.win = b.win[:0]
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading at offset %d: %w", start, err)
	}
	return nil
}

// tail returns the bytes of the window that end at off > 0, at least one,
// loading a new window when off is not inside the current one.
func (b *backReader) tail(off int64) ([]byte, error) {
	if off <= b.start || off > b.start+int64(len(b.win)) {
		if err := b.fill(off); err != nil {
			return nil, err
		}
	}
	return b.win[:off-b.start], nil
}

// bytes returns the file's bytes [from, to) if they fit the window.
func (b *backReader) bytes(from, to int64) ([]byte, bool, error) {
	if to-from > int64(cap(b.win)) {
		return nil, false, nil
	}
	if from < b.start || to > b.start+int64(len(b.win)) {
		if err := b.fill(to); err != nil {
			return nil, false, err
		}
	}
	return b.win[from-b.start : to-b.start], true, nil
}

// copyRange copies the file's bytes [from, to) to w.
func (b *backReader) copyRange(w io.Writer, from, to int64) error {
	p, ok, err := b.bytes(from, to)
	if err != nil {
		return err
	}
	if ok {
		_, err = w.Write(p)
		return err
	}
	n, err := io.Copy(w, io.NewSectionReader(b.r, from, to-from))
	if err == nil && n != to-from {
		err = fmt.Errorf("reading at offset %d: %w", from, io.ErrUnexpectedEOF)
	}
	return err
}

// ConsoleSpool is a ConsoleSink that keeps the lines of an upload in a
// spool file, in record order, and then writes console.txt from it in
// chronological order. Each line is stored as its console.txt text
// followed by that text's length in 8 bytes, so that the file can be
// walked backwards without an index.
type ConsoleSpool struct {
	f     io.ReaderAt
	w     *bufio.Writer
	size  int64
	stamp []byte
}

// NewConsoleSpool returns a spool over f, an empty file the caller owns
// and removes.
func NewConsoleSpool(f interface {
	io.Writer
	io.ReaderAt
}) *ConsoleSpool {
	return &ConsoleSpool{f: f, w: bufio.NewWriterSize(f, 64<<10)}
}

// Line implements ConsoleSink.
func (s *ConsoleSpool) Line(delta, size int64, data io.Reader) error {
	s.stamp = appendStamp(s.stamp[:0], delta)
	if _, err := s.w.Write(s.stamp); err != nil {
		return fmt.Errorf("spool console: %w", err)
	}
	n, err := io.Copy(s.w, data)
	if err != nil {
		return fmt.Errorf("spool console: %w", err)
	}
	if n != size {
		return fmt.Errorf("spool console: line of %d bytes, want %d: %w", n, size, io.ErrUnexpectedEOF)
	}
	var trailer [9]byte
	trailer[0] = '\n'
	length := int64(len(s.stamp)) + n + 1
	binary.BigEndian.PutUint64(trailer[1:], uint64(length))
	if _, err := s.w.Write(trailer[:]); err != nil {
		return fmt.Errorf("spool console: %w", err)
	}
	s.size += length + 8
	return nil
}

// WriteTo writes console.txt: the spooled lines, last first.
func (s *ConsoleSpool) WriteTo(w io.Writer) (int64, error) {
	if err := s.w.Flush(); err != nil {
		return 0, fmt.Errorf("spool console: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	br := newBackReader(s.f)
	var written int64
	for pos := s.size; pos > 0; {
		t, _, err := br.bytes(pos-8, pos)
		if err != nil {
			return written, fmt.Errorf("read console spool: %w", err)
		}
		n := int64(binary.BigEndian.Uint64(t))
		pos -= 8
		if n <= 0 || n > pos {
			return written, errors.New("read console spool: corrupt line length")
		}
		if err := br.copyRange(bw, pos-n, pos); err != nil {
			return written, fmt.Errorf("writing console: %w", err)
		}
		written += n
		pos -= n
	}
	if err := bw.Flush(); err != nil {
		return written, fmt.Errorf("writing console: %w", err)
	}
	return written, nil
}

// eachStoredLine calls fn for every line of console.txt that ParseConsole
// keeps, last first, with its delta and the range of its data in the file.
func eachStoredLine(br *backReader, size int64, fn func(delta, from, to int64) error) error {
	// The file splits at every '\n'; walk the pieces from the end.
	for end := size; ; {
		nl := int64(-1) // the '\n' before the piece, if any
		for p := end; p > 0; {
			chunk, err := br.tail(p)
			if err != nil {
				return err
			}
			if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
				nl = p - int64(len(chunk)) + int64(i)
				break
			}
			p -= int64(len(chunk))
		}
		if from := nl + 1; end > from {
			head, ok, err := br.bytes(from, min(end, from+maxStamp))
			if err != nil {
				return err
			}
			if !ok {
				// The window is smaller than maxStamp; cannot happen.
				return errors.New("console line stamp does not fit the window")
			}
			if colon := bytes.IndexByte(head, ':'); colon > 0 {
				if delta, ok := parseStamp(head[:colon]); ok {
					if err := fn(delta, from+int64(colon)+1, end); err != nil {
						return err
					}
				}
			}
		}
		if nl < 0 {
			return nil
		}
		end = nl
	}
}

// storedConsole is the console part of a record re-encoded from
// console.txt.
func storedConsole(r *io.SectionReader) (textPart, error) {
	size := r.Size()
	var total int64
	err := eachStoredLine(newBackReader(r), size, func(delta, from, to int64) error {
		total += tlvLen(lineLen(delta, to-from))
		return nil
	})
	if err != nil {
		return textPart{}, fmt.Errorf("reading console: %w", err)
	}
	write := func(w io.Writer) error {
		br := newBackReader(r)
		var hdr []byte
		var written int64
		err := eachStoredLine(br, size, func(delta, from, to int64) error {
			hdr = appendLineHeader(hdr[:0], delta, to-from)
			if _, err := w.Write(hdr); err != nil {
				return err
			}
			written += int64(len(hdr)) + to - from
			return br.copyRange(w, from, to)
		})
		if err == nil && written != total {
			err = fmt.Errorf("console changed while encoding: %d bytes, want %d", written, total)
		}
		return err
	}
	return textPart{size: total, write: write}, nil
}
