package opam

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a syntax error with the 1-based line and byte column where it was found.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

type tokKind int

const (
	tEOF tokKind = iota
	tColon
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tLPar
	tRPar
	tString
	tBool
	tInt
	tIdent
	tRelop
	tEnvop
	tAnd
	tOr
	tNot
	tDefined
)

var tokNames = [...]string{
	tEOF: "end of file", tColon: "':'", tLBrace: "'{'", tRBrace: "'}'",
	tLBracket: "'['", tRBracket: "']'", tLPar: "'('", tRPar: "')'",
	tString: "string", tBool: "bool", tInt: "integer", tIdent: "identifier",
	tRelop: "relational operator", tEnvop: "environment operator",
	tAnd: "'&'", tOr: "'|'", tNot: "'!'", tDefined: "'?'",
}

type token struct {
	kind      tokKind
	text      string // identifier, operator, or the decoded string
	n         int
	b         bool
	line, col int
}

type lexer struct {
	src       []byte
	pos       int
	line, col int
}

func newLexer(src []byte) *lexer { return &lexer{src: src, line: 1, col: 1} }

func (l *lexer) errorf(line, col int, format string, args ...any) error {
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) peekByte(off int) byte {
	if l.pos+off < len(l.src) {
		return l.src[l.pos+off]
	}
	return 0
}

// advance moves over n bytes, keeping line and column up to date.
func (l *lexer) advance(n int) {
	for ; n > 0 && l.pos < len(l.src); n-- {
		if l.src[l.pos] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.pos++
	}
}

func (l *lexer) hasPrefix(s string) bool {
	if len(l.src)-l.pos < len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if l.src[l.pos+i] != s[i] {
			return false
		}
	}
	return true
}

// skip passes over white space and both comment forms.
func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.advance(1)
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance(1)
			}
		case l.hasPrefix("(*"):
			if err := l.comment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// comment skips a `(* ... *)` block; these nest, as in OCaml.
func (l *lexer) comment() error {
	line, col := l.line, l.col
	depth := 0
	for l.pos < len(l.src) {
		switch {
		case l.hasPrefix("(*"):
			depth++
			l.advance(2)
		case l.hasPrefix("*)"):
			depth--
			l.advance(2)
			if depth == 0 {
				return nil
			}
		default:
			l.advance(1)
		}
	}
	return l.errorf(line, col, "unterminated comment")
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '_' || c == '-'
}

// segmentLen is the length of an identifier segment at off: digits, then a
// letter or '_', then letters, digits, '_' and '-'. Zero if there is none.
func (l *lexer) segmentLen(off int) int {
	i := l.pos + off
	start := i
	for i < len(l.src) && isDigit(l.src[i]) {
		i++
	}
	if i >= len(l.src) || !(isAlpha(l.src[i]) || l.src[i] == '_') {
		return 0
	}
	for i < len(l.src) && isIdentChar(l.src[i]) {
		i++
	}
	return i - start
}

// identLen matches opam's identifiers: segments joined by '+', optionally
// followed by ':' and a variable name (`pkg+ext:var`).
func (l *lexer) identLen() int {
	n := l.segmentLen(0)
	if n == 0 {
		return 0
	}
	for l.peekByte(n) == '+' {
		m := l.segmentLen(n + 1)
		if m == 0 {
			break
		}
		n += 1 + m
	}
	if l.peekByte(n) == ':' {
		if m := l.segmentLen(n + 1); m > 0 {
			n += 1 + m
		}
	}
	return n
}

func (l *lexer) intLen() int {
	n := 0
	if l.peekByte(0) == '-' {
		n = 1
	}
	d := 0
	for isDigit(l.peekByte(n + d)) {
		d++
	}
	if d == 0 {
		return 0
	}
	return n + d
}

// operators, longest first so that the longest match wins as in ocamllex.
var operators = []struct {
	text string
	kind tokKind
}{
	{"=+=", tEnvop}, {"+=", tEnvop}, {":=", tEnvop}, {"=+", tEnvop}, {"=:", tEnvop},
	{"!=", tRelop}, {"<=", tRelop}, {">=", tRelop},
	{"=", tRelop}, {"<", tRelop}, {">", tRelop},
	{"&", tAnd}, {"|", tOr}, {"!", tNot}, {"?", tDefined},
	{":", tColon}, {"{", tLBrace}, {"}", tRBrace}, {"[", tLBracket}, {"]", tRBracket},
	{"(", tLPar}, {")", tRPar},
}

func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	tok := token{line: l.line, col: l.col}
	if l.pos >= len(l.src) {
		tok.kind = tEOF
		return tok, nil
	}
	if l.src[l.pos] == '"' {
		s, err := l.str()
		tok.kind, tok.text = tString, s
		return tok, err
	}
	if in, id := l.intLen(), l.identLen(); in > 0 || id > 0 {
		if in >= id {
			text := string(l.src[l.pos : l.pos+in])
			n, err := strconv.Atoi(text)
			if err != nil {
				return tok, l.errorf(tok.line, tok.col, "integer out of range: %s", text)
			}
			l.advance(in)
			tok.kind, tok.n, tok.text = tInt, n, text
			return tok, nil
		}
		text := string(l.src[l.pos : l.pos+id])
		l.advance(id)
		switch text {
		case "true", "false":
			tok.kind, tok.b = tBool, text == "true"
		default:
			tok.kind = tIdent
		}
		tok.text = text
		return tok, nil
	}
	for _, op := range operators {
		if l.hasPrefix(op.text) {
			l.advance(len(op.text))
			tok.kind, tok.text = op.kind, op.text
			return tok, nil
		}
	}
	return tok, l.errorf(tok.line, tok.col, "%q is not a valid token", l.src[l.pos])
}

// str reads a "..." or """...""" string; both take the same escapes.
func (l *lexer) str() (string, error) {
	line, col := l.line, l.col
	delim := `"`
	if l.hasPrefix(`"""`) {
		delim = `"""`
	}
	l.advance(len(delim))
	var b strings.Builder
	for {
		// Copy the run up to the next quote or backslash at once: byte by
		// byte, strings were a fifth of an upload's CPU time (the switch
		// export's hundreds of package names).
		run := l.pos
		for run < len(l.src) && l.src[run] != '"' && l.src[run] != '\\' {
			run++
		}
		if run > l.pos {
			if b.Len() == 0 && delim == `"` && run < len(l.src) && l.src[run] == '"' {
				// The whole string, without escapes: one allocation.
				s := string(l.src[l.pos:run])
				l.advance(run - l.pos + 1)
				return s, nil
			}
			b.Write(l.src[l.pos:run])
			l.advance(run - l.pos)
		}
		if l.pos >= len(l.src) {
			return "", l.errorf(line, col, "unterminated string")
		}
		if l.hasPrefix(delim) {
			l.advance(len(delim))
			return b.String(), nil
		}
		c := l.src[l.pos]
		if c != '\\' {
			b.WriteByte(c)
			l.advance(1)
			continue
		}
		if err := l.escape(&b); err != nil {
			return "", err
		}
	}
}

// escape decodes the escape sequence at the backslash under the cursor.
// A backslash before a newline joins lines, dropping the next line's indent.
func (l *lexer) escape(b *strings.Builder) error {
	line, col := l.line, l.col
	l.advance(1)
	c := l.peekByte(0)
	if l.pos >= len(l.src) {
		return l.errorf(line, col, "unterminated string")
	}
	switch c {
	case '\r', '\n':
		if c == '\r' && l.peekByte(1) == '\n' {
			l.advance(1)
		}
		l.advance(1)
		for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t') {
			l.advance(1)
		}
	case '\\', '"', '\'', ' ':
		b.WriteByte(c)
		l.advance(1)
	case 'n':
		b.WriteByte('\n')
		l.advance(1)
	case 'r':
		b.WriteByte('\r')
		l.advance(1)
	case 't':
		b.WriteByte('\t')
		l.advance(1)
	case 'b':
		b.WriteByte('\b')
		l.advance(1)
	case 'x':
		h1, h2 := l.peekByte(1), l.peekByte(2)
		v, err := strconv.ParseUint(string([]byte{h1, h2}), 16, 8)
		if err != nil || l.pos+2 >= len(l.src) {
			return l.errorf(line, col, "illegal escape sequence")
		}
		b.WriteByte(byte(v))
		l.advance(3)
	default:
		d1, d2, d3 := c, l.peekByte(1), l.peekByte(2)
		if !isDigit(d1) || !isDigit(d2) || !isDigit(d3) {
			return l.errorf(line, col, "illegal escape sequence")
		}
		v := int(d1-'0')*100 + int(d2-'0')*10 + int(d3-'0')
		if v > 255 {
			return l.errorf(line, col, "illegal escape sequence")
		}
		b.WriteByte(byte(v))
		l.advance(3)
	}
	return nil
}
