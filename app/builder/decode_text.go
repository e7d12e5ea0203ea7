package builder

import (
	"fmt"
	"io"
	"unsafe"
)

// ConsoleSink receives the console lines of a record as a Decoder reads
// them, newest first (record order), so that a console of any size is
// never held in memory.
type ConsoleSink interface {
	// Line is called once per line with its delta and a reader of exactly
	// size bytes of its data, valid only during the call. Data left
	// unread is skipped.
	Line(delta, size int64, data io.Reader) error
}

// StreamText makes the decoder hand the job's script to script and the
// console lines to console as they arrive, instead of keeping them in the
// Header, whose Job.Script and Console then stay empty. Only the header
// fields that are small by nature remain charged to the memory limit. It
// must be called before Header.
func (d *Decoder) StreamText(script io.Writer, console ConsoleSink) {
	d.script, d.console = script, console
}

// fieldReader reads the contents of one header field straight from the
// stream, for a sink.
type fieldReader struct {
	d     *Decoder
	left  int64
	where string
	err   error // the first error of the stream, which wins over the sink's
}

func (f *fieldReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.d.r.Read(p)
	f.d.off += int64(n)
	f.left -= int64(n)
	if err != nil && !(err == io.EOF && f.left == 0) {
		f.err = ioError(f.where, err)
		return n, f.err
	}
	return n, nil
}

// feed hands n bytes of the stream to sink and skips what it leaves.
func (d *Decoder) feed(n int64, where string, sink func(io.Reader) error) error {
	f := &fieldReader{d: d, left: n, where: where}
	err := sink(f)
	if f.err != nil {
		return f.err
	}
	if err != nil {
		return fmt.Errorf("builder record: %s: %w", where, err)
	}
	return d.skip(f.left, where)
}

// readJob reads the ScriptJob: name, script, the legacy input files
// (checked and dropped without keeping their contents) and the optional
// platform.
func (d *Decoder) readJob(job *Job) error {
	n, err := d.readHeaderOf(tagSequence, "job", d.end)
	if err != nil {
		return err
	}
	end := d.off + n
	name, err := d.readFieldIn(tagUTF8String, "job: name", end)
	if err != nil {
		return err
	}
	*job = Job{Name: string(name), Platform: "no-platform"}
	if err := d.readScript(job, end); err != nil {
		return err
	}
	if err := d.skipJobFiles(end); err != nil {
		return err
	}
	if d.off < end {
		p, err := d.readFieldIn(tagUTF8String, "job: platform", end)
		if err != nil {
			return err
		}
		job.Platform = string(p)
	}
	if d.off != end {
		return malformedf("job", "unexpected trailing element (%d bytes)", end-d.off)
	}
	return nil
}

func (d *Decoder) readScript(job *Job, end int64) error {
	const where = "job: script"
	if d.script == nil {
		s, err := d.readFieldIn(tagUTF8String, where, end)
		job.Script = string(s)
		return err
	}
	n, err := d.readHeaderOf(tagUTF8String, where, end)
	if err != nil {
		return err
	}
	return d.feed(n, where, func(r io.Reader) error {
		_, err := io.Copy(d.script, r)
		return err
	})
}

// skipJobFiles reads the input files builders before 2021-06 sent. The
// reference still parses them as File values, so a broken one fails the
// record; their contents are skipped.
func (d *Decoder) skipJobFiles(jobEnd int64) error {
	n, err := d.readHeaderOf(tagSequence, "job: files", jobEnd)
	if err != nil {
		return err
	}
	end := d.off + n
	for i := 1; d.off < end; i++ {
		where := fmt.Sprintf("job: files: file %d", i)
		n, err := d.readHeaderOf(tagSequence, where, end)
		if err != nil {
			return err
		}
		fileEnd := d.off + n
		p, err := d.readFieldIn(tagUTF8String, where+": path", fileEnd)
		if err != nil {
			return err
		}
		// Only its validity matters; give the memory back.
		d.budget += int64(len(p))
		if err := checkPath(p, where+": path"); err != nil {
			return err
		}
		n, err = d.readHeaderOf(tagUTF8String, where+": data", fileEnd)
		if err != nil {
			return err
		}
		if d.off+n != fileEnd {
			return malformedf(where, "unexpected trailing element (%d bytes)", fileEnd-d.off-n)
		}
		if err := d.skip(n, where+": data"); err != nil {
			return err
		}
	}
	return nil
}

// readConsole reads the SEQUENCE OF ConsoleLine, keeping the lines in h
// (newest first, as the record has them) or handing them to the sink.
func (d *Decoder) readConsole(h *Header) error {
	n, err := d.readHeaderOf(tagSequence, "console", d.end)
	if err != nil {
		return err
	}
	end := d.off + n
	for i := 1; d.off < end; i++ {
		where := fmt.Sprintf("console line %d", i)
		n, err := d.readHeaderOf(tagSequence, where, end)
		if err != nil {
			return err
		}
		lineEnd := d.off + n
		n, err = d.readHeaderOf(tagInteger, where+": delta", lineEnd)
		if err != nil {
			return err
		}
		if n > 8 { // refused below anyway; do not read it into memory
			return malformedf(where+": delta", "INTEGER overflow (%d octets)", n)
		}
		var buf [8]byte
		if err := d.readFull(buf[:n], where+": delta"); err != nil {
			return err
		}
		delta, problem := parseInt(buf[:n])
		if problem != "" {
			return malformedf(where+": delta", "%s", problem)
		}
		n, err = d.readHeaderOf(tagUTF8String, where+": data", lineEnd)
		if err != nil {
			return err
		}
		if d.off+n != lineEnd {
			return malformedf(where, "unexpected trailing element (%d bytes)", lineEnd-d.off-n)
		}
		if d.console != nil {
			if err := d.feed(n, where+": data", func(r io.Reader) error {
				return d.console.Line(delta, n, r)
			}); err != nil {
				return err
			}
			continue
		}
		// A line costs more in memory than its encoded bytes; charge the
		// slice element too, so that the limit really bounds memory.
		if err := d.charge(int64(unsafe.Sizeof(ConsoleLine{})), "console"); err != nil {
			return err
		}
		data, err := d.readContent(n, where+": data")
		if err != nil {
			return err
		}
		h.Console = append(h.Console, ConsoleLine{Delta: delta, Data: string(data)})
	}
	return nil
}
