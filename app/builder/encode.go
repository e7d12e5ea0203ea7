package builder

import (
	"errors"
	"fmt"
	"io"
)

// appendHeaderFields encodes job, uuid, console, timestamps and result the
// way the current builder does: platform always present, job.files always
// empty, GeneralizedTime, minimal INTEGERs.
func appendHeaderFields(dst []byte, h *Header) ([]byte, error) {
	jobLen := tlvLen(int64(len(h.Job.Name))) + tlvLen(int64(len(h.Job.Script))) +
		tlvLen(0) + tlvLen(int64(len(h.Job.Platform)))
	dst = appendHeader(dst, tagSequence, jobLen)
	dst = appendString(dst, h.Job.Name)
	dst = appendString(dst, h.Job.Script)
	dst = appendHeader(dst, tagSequence, 0)
	dst = appendString(dst, h.Job.Platform)

	dst = appendHeader(dst, tagUTF8String, 16)
	dst = append(dst, h.UUID[:]...)

	var consoleLen int64
	for _, l := range h.Console {
		consoleLen += tlvLen(lineLen(l))
	}
	dst = appendHeader(dst, tagSequence, consoleLen)
	for _, l := range h.Console {
		dst = appendHeader(dst, tagSequence, lineLen(l))
		dst = appendInt(dst, l.Delta)
		dst = appendString(dst, l.Data)
	}

	start, err := appendGenTime(nil, h.Start)
	if err != nil {
		return nil, fmt.Errorf("encoding start: %w", err)
	}
	finish, err := appendGenTime(nil, h.Finish)
	if err != nil {
		return nil, fmt.Errorf("encoding finish: %w", err)
	}
	dst = appendHeader(dst, tagSequence, int64(len(start)+len(finish)))
	dst = append(append(dst, start...), finish...)

	switch r := h.Result; r.Kind {
	case Exited, Signalled, Stopped:
		n := int64(2 + intLen(r.Code))
		dst = appendHeader(dst, tagContext|byte(r.Kind-Exited), n)
		dst = appendInt(dst, r.Code)
	case Msg:
		dst = appendHeader(dst, tagContext|3, tlvLen(int64(len(r.Msg))))
		dst = appendString(dst, r.Msg)
	default:
		return nil, fmt.Errorf("encoding result: unknown kind %d", r.Kind)
	}
	return dst, nil
}

func lineLen(l ConsoleLine) int64 {
	return 2 + int64(intLen(l.Delta)) + tlvLen(int64(len(l.Data)))
}

func fileLen(path string, size int64) int64 {
	return tlvLen(int64(len(path))) + tlvLen(size)
}

// framing returns the header fields and the bytes that open the record,
// given the files' paths and sizes.
func framing(h *Header, paths []string, sizes []int64) (prefix []byte, err error) {
	for _, p := range paths {
		if err := checkPath([]byte(p), "encoding output"); err != nil {
			return nil, err
		}
	}
	fields, err := appendHeaderFields(nil, h)
	if err != nil {
		return nil, err
	}
	var outLen int64
	for i := range paths {
		if sizes[i] < 0 {
			return nil, fmt.Errorf("encoding output %q: negative size %d", paths[i], sizes[i])
		}
		outLen += tlvLen(fileLen(paths[i], sizes[i]))
	}
	execLen := int64(len(fields)) + tlvLen(outLen)
	prefix = appendHeader(make([]byte, 0, len(fields)+32), tagContext|0, tlvLen(execLen))
	prefix = appendHeader(prefix, tagSequence, execLen)
	prefix = append(prefix, fields...)
	return appendHeader(prefix, tagSequence, outLen), nil
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
	prefix, err := framing(h, paths, sizes)
	if err != nil {
		return err
	}
	if _, err := w.Write(prefix); err != nil {
		return fmt.Errorf("writing record header: %w", err)
	}
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
