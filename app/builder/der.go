package builder

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// Identifier octets used by the schema. Every tag in the record fits one
// octet, so a tag is compared as a single byte; the EXPLICIT context tags
// are tagContext|n.
const (
	tagInteger    = 0x02
	tagUTF8String = 0x0C
	tagSequence   = 0x30
	tagUTCTime    = 0x17
	tagGenTime    = 0x18
	tagContext    = 0xA0
)

// ErrHeaderTooLarge is wrapped (together with ErrMalformed) when the fields
// a Decoder keeps in memory exceed its limit, so an HTTP layer may answer
// 413 instead of 400 if it wishes.
var ErrHeaderTooLarge = errors.New("record header exceeds the decoder's memory limit")

// malformedf builds an error caused by the input bytes.
func malformedf(where, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, where, fmt.Sprintf(format, args...))
}

// truncated reports a clean end of input in the middle of a value; it
// matches both ErrMalformed and io.ErrUnexpectedEOF.
func truncated(where string) error {
	return fmt.Errorf("%w: %s: truncated: %w", ErrMalformed, where, io.ErrUnexpectedEOF)
}

func tagName(tag byte) string {
	switch tag {
	case tagInteger:
		return "INTEGER (0x02)"
	case tagUTF8String:
		return "UTF8String (0x0C)"
	case tagSequence:
		return "SEQUENCE (0x30)"
	case tagUTCTime:
		return "UTCTime (0x17)"
	case tagGenTime:
		return "GeneralizedTime (0x18)"
	case tagUTF8String | 0x20:
		return "constructed UTF8String (0x2C)"
	}
	if tag&0xE0 == tagContext {
		return fmt.Sprintf("[%d] EXPLICIT (0x%02X)", tag&0x1F, tag)
	}
	return fmt.Sprintf("tag 0x%02X", tag)
}

// lengthForm interprets the first length octet: either the short-form
// length itself, or how many octets of long-form length follow.
func lengthForm(first byte) (short int64, follow int, problem string) {
	switch {
	case first < 0x80:
		return int64(first), 0, ""
	case first == 0x80:
		return 0, 0, "indefinite length (BER only)"
	case first == 0xFF:
		return 0, 0, "reserved length octet 0xFF"
	case first&0x7F > 8:
		return 0, 0, fmt.Sprintf("length of %d octets", first&0x7F)
	}
	return 0, int(first & 0x7F), ""
}

// longLength decodes the octets of a long-form length with the strictness
// of asn1-combinators' DER reader.
func longLength(octets []byte) (int64, string) {
	if octets[0] == 0 {
		return 0, "long-form length with a leading zero octet"
	}
	var v uint64
	for _, o := range octets {
		v = v<<8 | uint64(o)
	}
	if v > math.MaxInt64 {
		return 0, "length does not fit 63 bits"
	}
	// The reference reader calls a long form "redundant" only below 127,
	// not below 128, so 81 7F is accepted. Keep the quirk: records it
	// accepts must be accepted here.
	if v < 127 {
		return 0, fmt.Sprintf("redundant long-form length %d", v)
	}
	return int64(v), ""
}

// der is an in-memory DER reader over the contents of one element.
type der []byte

// next reads one TLV, returning its identifier octet and contents.
func (s *der) next(where string) (byte, []byte, error) {
	b := *s
	if len(b) < 2 {
		return 0, nil, malformedf(where, "element overruns its enclosing element")
	}
	tag := b[0]
	if tag&0x1F == 0x1F {
		return 0, nil, malformedf(where, "unexpected multi-octet tag")
	}
	n, follow, problem := lengthForm(b[1])
	if problem != "" {
		return 0, nil, malformedf(where, "%s", problem)
	}
	hdr := 2 + follow
	if len(b) < hdr {
		return 0, nil, malformedf(where, "element overruns its enclosing element")
	}
	if follow > 0 {
		if n, problem = longLength(b[2:hdr]); problem != "" {
			return 0, nil, malformedf(where, "%s", problem)
		}
	}
	if n > int64(len(b)-hdr) {
		return 0, nil, malformedf(where, "length %d overruns its enclosing element", n)
	}
	*s = b[hdr+int(n):]
	return tag, b[hdr : hdr+int(n)], nil
}

// expect reads one TLV that must carry tag.
func (s *der) expect(tag byte, where string) ([]byte, error) {
	if len(*s) == 0 {
		return nil, malformedf(where, "missing %s", tagName(tag))
	}
	got, c, err := s.next(where)
	if err != nil {
		return nil, err
	}
	if got != tag {
		return nil, malformedf(where, "expected %s, got %s", tagName(tag), tagName(got))
	}
	return c, nil
}

// end reports an error if anything is left in the element.
func (s *der) end(where string) error {
	if len(*s) != 0 {
		return malformedf(where, "unexpected trailing element (%d bytes)", len(*s))
	}
	return nil
}

// parseInt decodes INTEGER contents: minimal two's complement of 1 to 8
// octets. The reference rejects 9 or more octets as an overflow.
func parseInt(c []byte) (int64, string) {
	switch {
	case len(c) == 0:
		return 0, "empty INTEGER"
	case len(c) > 8:
		return 0, fmt.Sprintf("INTEGER overflow (%d octets)", len(c))
	case len(c) > 1 && (c[0] == 0x00 && c[1]&0x80 == 0 || c[0] == 0xFF && c[1]&0x80 != 0):
		return 0, "non-minimal INTEGER"
	}
	v := int64(int8(c[0]))
	for _, o := range c[1:] {
		v = v<<8 | int64(o)
	}
	return v, ""
}

// intLen is the number of contents octets of v as a minimal INTEGER.
func intLen(v int64) int {
	n := 1
	for v > 127 || v < -128 {
		v >>= 8
		n++
	}
	return n
}

func appendInt(dst []byte, v int64) []byte {
	n := intLen(v)
	dst = append(dst, tagInteger, byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// lenLen is the size of the length octets for n: short form below 128,
// else 0x80|k followed by k big-endian octets without leading zeros, as
// the OCaml writer emits.
func lenLen(n int64) int64 {
	if n < 0x80 {
		return 1
	}
	k := int64(1)
	for n > 0xFF {
		n >>= 8
		k++
	}
	return 1 + k
}

// tlvLen is the encoded size of an element with n contents octets.
func tlvLen(n int64) int64 { return 1 + lenLen(n) + n }

func appendHeader(dst []byte, tag byte, n int64) []byte {
	dst = append(dst, tag)
	if n < 0x80 {
		return append(dst, byte(n))
	}
	k := int(lenLen(n) - 1)
	dst = append(dst, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	return append(appendHeader(dst, tagUTF8String, int64(len(s))), s...)
}
