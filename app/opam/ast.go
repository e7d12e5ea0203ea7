// Package opam reads opam files and `opam switch export` files, prints them
// in a canonical form, and compares two switch exports the way builder-web's
// compare page does (reference §7.4).
package opam

// File is a parsed opam file: its fields and sections in file order.
// Positions are not kept, so two parses of equivalent text compare equal
// with reflect.DeepEqual.
type File struct {
	Items []Item
}

// Item is a *Field or a *Section.
type Item interface{ item() }

// Field is `name: value`.
type Field struct {
	Name  string
	Value Value
}

// Section is `kind "label" { items }`; Label is nil when the section has none.
type Section struct {
	Kind  string
	Label *string
	Items []Item
}

func (*Field) item()   {}
func (*Section) item() {}

// Value is one of the value types below.
type Value interface{ value() }

// Bool is `true` or `false`.
type Bool bool

// Int is an integer literal.
type Int int

// String is a quoted string with escapes resolved. `%{var}%` interpolations
// are left as they are.
type String string

// Ident is an identifier, possibly a package variable such as `ocaml:version`.
type Ident string

// List is `[ v1 v2 ... ]`.
type List []Value

// Group is `( v1 v2 ... )`.
type Group []Value

// Option is `value { filter... }`.
type Option struct {
	Value  Value
	Filter []Value
}

// Logop is `left & right` or `left | right`.
type Logop struct {
	Op          string // "&" or "|"
	Left, Right Value
}

// Relop is `left op right` with op one of = != < <= > >=.
type Relop struct {
	Op          string
	Left, Right Value
}

// PrefixRelop is a version constraint without left side, like `>= "1.0"`.
type PrefixRelop struct {
	Op    string
	Value Value
}

// Not is `!value`.
type Not struct{ Value Value }

// Defined is `?value`, true when the variable is defined.
type Defined struct{ Value Value }

// EnvBinding is an environment update like `PATH += "dir"`. The op is one of
// += =+ := =: =+=. A plain `=` parses as a Relop, as in opam itself; the
// meaning (setenv or comparison) depends on the field.
type EnvBinding struct {
	Op          string
	Name, Value Value
}

func (Bool) value()         {}
func (Int) value()          {}
func (String) value()       {}
func (Ident) value()        {}
func (List) value()         {}
func (Group) value()        {}
func (*Option) value()      {}
func (*Logop) value()       {}
func (*Relop) value()       {}
func (*PrefixRelop) value() {}
func (*Not) value()         {}
func (*Defined) value()     {}
func (*EnvBinding) value()  {}
