package builder

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxHeaderBytes bounds what NewDecoder keeps in memory: the
// contents of job, uuid, console, timestamps and result plus every output
// path; with StreamText, script and console are not kept and not counted.
const DefaultMaxHeaderBytes = 256 << 20

// smallRead is the size up to which a field's buffer is allocated at once;
// larger fields grow as their bytes arrive, so a hostile length cannot make
// the decoder allocate memory it has not been sent.
const smallRead = 64 << 10

// byteReader is what the decoder reads from: a *bufio.Reader, or the
// caller's reader when it can already read single bytes cheaply.
type byteReader interface {
	io.Reader
	io.ByteReader
}

// Decoder reads one record from a stream: Header first, then the output
// files one by one with Next, without holding file contents in memory.
type Decoder struct {
	r      byteReader
	off    int64 // bytes consumed from r
	budget int64 // header bytes still allowed in memory
	header *Header
	end    int64       // offset where the output list (and the record) ends
	cur    *fileReader // reader handed out by the last Next, if any
	nfile  int
	err    error // sticky: the first error, or io.EOF after the last file
	// script and console, when set by StreamText, receive those fields
	// instead of the Header.
	script  io.Writer
	console ConsoleSink
}

// NewDecoder returns a decoder with the default header limit.
func NewDecoder(r io.Reader) *Decoder {
	return NewDecoderLimit(r, DefaultMaxHeaderBytes)
}

// NewDecoderLimit returns a decoder that keeps at most maxHeaderBytes of
// header fields and paths in memory (DefaultMaxHeaderBytes when <= 0).
// A reader that implements io.ByteReader is used as is; any other is
// buffered, so the decoder may read ahead (past the record only when
// trailing bytes make it invalid anyway).
func NewDecoderLimit(r io.Reader, maxHeaderBytes int64) *Decoder {
	if maxHeaderBytes <= 0 {
		maxHeaderBytes = DefaultMaxHeaderBytes
	}
	br, ok := r.(byteReader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Decoder{r: br, budget: maxHeaderBytes}
}

// ioError classifies a failed read: a clean EOF inside the record is
// truncation (malformed); anything else belongs to the transport and is
// passed on wrapped, so that callers can tell a body limit or a broken
// connection from bad bytes.
func ioError(where string, err error) error {
	if err == io.EOF {
		return truncated(where)
	}
	return fmt.Errorf("builder record: reading %s: %w", where, err)
}

func (d *Decoder) readByte(where string) (byte, error) {
	b, err := d.r.ReadByte()
	if err != nil {
		return 0, ioError(where, err)
	}
	d.off++
	return b, nil
}

// readTLVHeader reads identifier and length octets of an element that must
// lie within [d.off, end); end < 0 means no enclosing element.
func (d *Decoder) readTLVHeader(where string, end int64) (byte, int64, error) {
	if end >= 0 && d.off >= end {
		return 0, 0, malformedf(where, "missing element")
	}
	start := d.off
	tag, err := d.readByte(where)
	if err != nil {
		return 0, 0, err
	}
	if tag&0x1F == 0x1F {
		return 0, 0, malformedf(where, "unexpected multi-octet tag")
	}
	first, err := d.readByte(where)
	if err != nil {
		return 0, 0, err
	}
	n, follow, problem := lengthForm(first)
	if problem != "" {
		return 0, 0, malformedf(where, "%s", problem)
	}
	if follow > 0 {
		var octets [8]byte
		for i := range follow {
			if octets[i], err = d.readByte(where); err != nil {
				return 0, 0, err
			}
		}
		if n, problem = longLength(octets[:follow]); problem != "" {
			return 0, 0, malformedf(where, "%s", problem)
		}
	}
	if end >= 0 && n > end-d.off {
		return 0, 0, malformedf(where, "length %d at offset %d overruns its enclosing element", n, start)
	}
	return tag, n, nil
}

// readContent reads n contents octets that will be kept in memory,
// charging them to the header budget first.
func (d *Decoder) readContent(n int64, where string) ([]byte, error) {
	if err := d.charge(n, where); err != nil {
		return nil, err
	}
	if n <= smallRead {
		buf := make([]byte, n)
		if err := d.readFull(buf, where); err != nil {
			return nil, err
		}
		return buf, nil
	}
	buf := make([]byte, 0, smallRead)
	for left := n; left > 0; {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append pick the growth
		}
		chunk := min(left, int64(cap(buf)-len(buf)))
		if err := d.readFull(buf[len(buf):len(buf)+int(chunk)], where); err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+int(chunk)]
		left -= chunk
	}
	return buf, nil
}

// charge takes n bytes from the header budget.
func (d *Decoder) charge(n int64, where string) error {
	if n > d.budget {
		return fmt.Errorf("%w: %s: %w (%d bytes)", ErrMalformed, where, ErrHeaderTooLarge, n)
	}
	d.budget -= n
	return nil
}

func (d *Decoder) readFull(p []byte, where string) error {
	for len(p) > 0 {
		n, err := d.r.Read(p)
		d.off += int64(n)
		p = p[n:]
		if err != nil {
			if len(p) == 0 && err == io.EOF {
				return nil
			}
			return ioError(where, err)
		}
	}
	return nil
}

// readField reads one whole header element that must carry tag.
func (d *Decoder) readField(tag byte, where string) ([]byte, error) {
	return d.readFieldIn(tag, where, d.end)
}

// readFieldIn reads one whole element that must carry tag and lie before
// end.
func (d *Decoder) readFieldIn(tag byte, where string, end int64) ([]byte, error) {
	n, err := d.readHeaderOf(tag, where, end)
	if err != nil {
		return nil, err
	}
	return d.readContent(n, where)
}

// readHeaderOf reads the header of an element that must have this tag,
// within end, and returns its content length.
func (d *Decoder) readHeaderOf(tag byte, where string, end int64) (int64, error) {
	got, n, err := d.readTLVHeader(where, end)
	if err != nil {
		return 0, err
	}
	if got != tag {
		return 0, malformedf(where, "expected %s, got %s", tagName(tag), tagName(got))
	}
	return n, nil
}

// Header reads everything before the output files. It is safe to call more
// than once; Next calls it if needed.
func (d *Decoder) Header() (*Header, error) {
	if d.header != nil {
		return d.header, nil
	}
	if d.err != nil {
		return nil, d.err
	}
	h, err := d.readHeader()
	if err != nil {
		d.err = err
		return nil, err
	}
	d.header = h
	return h, nil
}

func (d *Decoder) readHeader() (*Header, error) {
	tag, n, err := d.readTLVHeader("record", -1)
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagContext | 0:
	case tagContext | 1:
		// Syntactically valid, but builder's own decoder fails on it
		// (assert false); no record ever carries it.
		return nil, malformedf("record", "unsupported alternative [1]")
	default:
		return nil, malformedf("record", "expected [0] EXPLICIT (0xA0), got %s", tagName(tag))
	}
	outer := d.off + n
	n, err = d.readHeaderOf(tagSequence, "exec", outer)
	if err != nil {
		return nil, err
	}
	if d.off+n != outer {
		return nil, malformedf("record", "[0] holds more than one element")
	}
	d.end = outer

	var h Header
	if err := d.readJob(&h.Job); err != nil {
		return nil, err
	}
	c, err := d.readField(tagUTF8String, "uuid")
	if err != nil {
		return nil, err
	}
	if h.UUID, err = parseUUID(c); err != nil {
		return nil, err
	}
	if err := d.readConsole(&h); err != nil {
		return nil, err
	}
	if c, err = d.readField(tagSequence, "timestamps"); err != nil {
		return nil, err
	}
	if h.Start, h.Finish, err = parseTimestamps(c); err != nil {
		return nil, err
	}
	tag, n, err = d.readTLVHeader("result", d.end)
	if err != nil {
		return nil, err
	}
	if tag < tagContext || tag > tagContext|3 {
		return nil, malformedf("result", "expected [0]..[3] EXPLICIT, got %s", tagName(tag))
	}
	if c, err = d.readContent(n, "result"); err != nil {
		return nil, err
	}
	if h.Result, err = parseResult(tag, c); err != nil {
		return nil, err
	}
	n, err = d.readHeaderOf(tagSequence, "output", d.end)
	if err != nil {
		return nil, err
	}
	if d.off+n != d.end {
		return nil, malformedf("exec", "unexpected trailing element after output")
	}
	return &h, nil
}

// Next returns the next output file: its path and size, known before any
// of its contents is read, and a reader of exactly its contents taken
// straight from the stream. The reader is valid until the next call of
// Next, which skips whatever the caller left unread. After the last file
// Next makes sure nothing follows the record and returns io.EOF.
func (d *Decoder) Next() (path string, size int64, data io.Reader, err error) {
	if _, err := d.Header(); err != nil {
		return "", 0, nil, err
	}
	if d.err != nil {
		return "", 0, nil, d.err
	}
	path, size, data, err = d.next()
	if err != nil {
		d.err = err
	}
	return path, size, data, err
}

func (d *Decoder) next() (string, int64, io.Reader, error) {
	if f := d.cur; f != nil {
		d.cur = nil
		if err := d.skip(f.left, f.where); err != nil {
			return "", 0, nil, err
		}
	}
	if d.off == d.end {
		return "", 0, nil, d.checkTrailing()
	}
	d.nfile++
	where := fmt.Sprintf("output file %d", d.nfile)
	n, err := d.readHeaderOf(tagSequence, where, d.end)
	if err != nil {
		return "", 0, nil, err
	}
	fileEnd := d.off + n
	n, err = d.readHeaderOf(tagUTF8String, where+": path", fileEnd)
	if err != nil {
		return "", 0, nil, err
	}
	p, err := d.readContent(n, where+": path")
	if err != nil {
		return "", 0, nil, err
	}
	if err := checkPath(p, where+": path"); err != nil {
		return "", 0, nil, err
	}
	where = fmt.Sprintf("output file %d (%q)", d.nfile, p)
	n, err = d.readHeaderOf(tagUTF8String, where+": data", fileEnd)
	if err != nil {
		return "", 0, nil, err
	}
	// Known before the contents arrive, so reject now rather than after
	// the caller has staged the whole file.
	if d.off+n != fileEnd {
		return "", 0, nil, malformedf(where, "unexpected trailing element after data")
	}
	d.cur = &fileReader{d: d, left: n, where: where + ": data"}
	return string(p), n, d.cur, nil
}

// skip discards n bytes of the current file.
func (d *Decoder) skip(n int64, where string) error {
	got, err := io.CopyN(io.Discard, d.r, n)
	d.off += got
	if err != nil {
		return ioError(where, err)
	}
	return nil
}

// checkTrailing reports io.EOF when the stream ends right after the record.
func (d *Decoder) checkTrailing() error {
	_, err := d.r.ReadByte()
	switch {
	case err == io.EOF:
		return io.EOF
	case err != nil:
		return ioError("end of record", err)
	}
	return malformedf("record", "trailing bytes after offset %d", d.off)
}

// fileReader reads the contents of one output file from the stream.
type fileReader struct {
	d     *Decoder
	left  int64
	where string
}

var errStaleReader = errors.New("builder: file reader used after Decoder.Next")

func (f *fileReader) Read(p []byte) (int, error) {
	d := f.d
	if d.cur != f {
		return 0, errStaleReader
	}
	if f.left == 0 {
		return 0, io.EOF
	}
	if d.err != nil {
		return 0, d.err
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := d.r.Read(p)
	d.off += int64(n)
	f.left -= int64(n)
	if err != nil {
		if err == io.EOF && f.left == 0 {
			return n, nil
		}
		d.err = ioError(f.where, err)
		return n, d.err
	}
	return n, nil
}

// Decode decodes a whole record held in memory. File contents are copied,
// so the result does not alias b.
func Decode(b []byte) (*Exec, error) {
	br := bytes.NewReader(b)
	d := NewDecoder(br)
	h, err := d.Header()
	if err != nil {
		return nil, err
	}
	e := &Exec{Header: *h}
	for {
		path, size, data, err := d.Next()
		if err == io.EOF {
			return e, nil
		}
		if err != nil {
			return nil, err
		}
		if size > int64(br.Len()) {
			// Cannot be complete; let the reader report the truncation
			// instead of allocating what the length claims.
			_, err := io.Copy(io.Discard, data)
			return nil, err
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(data, buf); err != nil {
			return nil, err
		}
		e.Files = append(e.Files, File{Path: path, Data: buf})
	}
}
