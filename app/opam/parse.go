package opam

import "fmt"

// maxDepth bounds the nesting of values and sections. Real opam files nest a
// handful of levels; the bound keeps hostile input from exhausting the stack
// here and in every recursive walk over the tree (printer, diff, accessors).
const maxDepth = 200

// Parse reads an opam file (or any file in the opam syntax, such as a switch
// export). Errors are *Error values with the line and column.
//
// Precedence follows opam's grammar: options `v {f}` bind tightest, then
// `!`/`?`, then `&`, then `|`. Relational and environment operators take
// atoms (bool, int, string, ident) on both sides, so they bind tighter than
// the logical ones.
func Parse(data []byte) (*File, error) {
	p := &parser{lx: newLexer(data)}
	if err := p.advance(); err != nil {
		return nil, err
	}
	items, err := p.items(tEOF)
	if err != nil {
		return nil, err
	}
	return &File{Items: items}, nil
}

type parser struct {
	lx    *lexer
	tok   token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &Error{Line: p.tok.line, Col: p.tok.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unexpected(what string) error {
	if p.tok.kind == tEOF {
		return p.errorf("unexpected end of file, expected %s", what)
	}
	return p.errorf("unexpected %s, expected %s", tokNames[p.tok.kind], what)
}

// enter counts one level of nesting; callers pair it with p.depth--.
func (p *parser) enter(extra int) error {
	p.depth++
	if p.depth+extra > maxDepth {
		return p.errorf("nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) expect(k tokKind) error {
	if p.tok.kind != k {
		return p.unexpected(tokNames[k])
	}
	return p.advance()
}

// items reads fields and sections up to (not including) the end token.
func (p *parser) items(end tokKind) ([]Item, error) {
	var items []Item
	for p.tok.kind != end {
		if p.tok.kind != tIdent {
			return nil, p.unexpected("a field or section name")
		}
		name := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		switch p.tok.kind {
		case tColon:
			if err := p.advance(); err != nil {
				return nil, err
			}
			v, err := p.value(0)
			if err != nil {
				return nil, err
			}
			items = append(items, &Field{Name: name, Value: v})
		case tString, tLBrace:
			s := &Section{Kind: name}
			if p.tok.kind == tString {
				label := p.tok.text
				s.Label = &label
				if err := p.advance(); err != nil {
					return nil, err
				}
			}
			if err := p.expect(tLBrace); err != nil {
				return nil, err
			}
			if err := p.enter(0); err != nil {
				return nil, err
			}
			sub, err := p.items(tRBrace)
			p.depth--
			if err != nil {
				return nil, err
			}
			s.Items = sub
			if err := p.advance(); err != nil {
				return nil, err
			}
			items = append(items, s)
		default:
			return nil, p.unexpected("':' or a section body")
		}
	}
	return items, nil
}

// value parses a logical formula whose operators bind at least as tightly
// as minPrec (1 for '|', 2 for '&'); both are left-associative.
func (p *parser) value(minPrec int) (Value, error) {
	if err := p.enter(0); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for chain := 1; ; chain++ {
		prec := 0
		switch p.tok.kind {
		case tOr:
			prec = 1
		case tAnd:
			prec = 2
		}
		if prec == 0 || prec < minPrec {
			return left, nil
		}
		op := p.tok.text
		// Each operator deepens the left-leaning tree by one level.
		if p.depth+chain > maxDepth {
			return nil, p.errorf("nesting deeper than %d levels", maxDepth)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.value(prec + 1)
		if err != nil {
			return nil, err
		}
		left = &Logop{Op: op, Left: left, Right: right}
	}
}

// unary parses a primary value followed by any number of `{ filter }` options.
func (p *parser) unary() (Value, error) {
	if err := p.enter(0); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v, err := p.primary()
	if err != nil {
		return nil, err
	}
	for chain := 1; p.tok.kind == tLBrace; chain++ {
		if p.depth+chain > maxDepth {
			return nil, p.errorf("nesting deeper than %d levels", maxDepth)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		filter, err := p.values(tRBrace)
		if err != nil {
			return nil, err
		}
		v = &Option{Value: v, Filter: filter}
	}
	return v, nil
}

// values reads values up to the closing token and consumes it.
func (p *parser) values(end tokKind) ([]Value, error) {
	vs := []Value{}
	for p.tok.kind != end {
		if p.tok.kind == tEOF {
			return nil, p.unexpected(tokNames[end])
		}
		v, err := p.value(0)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, p.advance()
}

func (p *parser) primary() (Value, error) {
	switch p.tok.kind {
	case tNot, tDefined:
		kind := p.tok.kind
		if err := p.advance(); err != nil {
			return nil, err
		}
		v, err := p.unary()
		if err != nil {
			return nil, err
		}
		if kind == tNot {
			return &Not{Value: v}, nil
		}
		return &Defined{Value: v}, nil
	case tRelop:
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		v, err := p.atom()
		if err != nil {
			return nil, err
		}
		return &PrefixRelop{Op: op, Value: v}, nil
	case tLBracket, tLPar:
		kind := p.tok.kind
		if err := p.advance(); err != nil {
			return nil, err
		}
		if kind == tLBracket {
			vs, err := p.values(tRBracket)
			return List(vs), err
		}
		vs, err := p.values(tRPar)
		return Group(vs), err
	}
	left, err := p.atom()
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tRelop, tEnvop:
		kind, op := p.tok.kind, p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.atom()
		if err != nil {
			return nil, err
		}
		if kind == tRelop {
			return &Relop{Op: op, Left: left, Right: right}, nil
		}
		return &EnvBinding{Op: op, Name: left, Value: right}, nil
	}
	return left, nil
}

func (p *parser) atom() (Value, error) {
	var v Value
	switch p.tok.kind {
	case tBool:
		v = Bool(p.tok.b)
	case tInt:
		v = Int(p.tok.n)
	case tString:
		v = String(p.tok.text)
	case tIdent:
		v = Ident(p.tok.text)
	default:
		return nil, p.unexpected("a value")
	}
	return v, p.advance()
}
