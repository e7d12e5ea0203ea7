package opam

import (
	"slices"
	"strconv"
	"strings"
)

// fieldOrder is opam's canonical order of opam-file fields; Print puts
// these first, then `x-*` extensions by name, then anything else by name.
// build-test and run-test share a rank: the first is the old name of the second.
var fieldOrder = map[string]int{}

// urlOrder orders the fields of `url` and `extra-source` sections.
var urlOrder = map[string]int{}

func init() {
	for i, names := range [][]string{
		{"opam-version"}, {"name"}, {"version"}, {"synopsis"}, {"description"},
		{"maintainer"}, {"authors"}, {"license"}, {"tags"}, {"homepage"}, {"doc"},
		{"bug-reports"}, {"depends"}, {"depopts"}, {"conflicts"}, {"conflict-class"},
		{"available"}, {"flags"}, {"setenv"}, {"build"}, {"install"}, {"build-doc"},
		{"build-test", "run-test"}, {"remove"}, {"substs"}, {"patches"}, {"build-env"},
		{"features"}, {"extra-source"}, {"extra-files"}, {"messages"}, {"post-messages"},
		{"depexts"}, {"libraries"}, {"syntax"}, {"dev-repo"}, {"pin-depends"}, {"url"},
	} {
		for _, n := range names {
			fieldOrder[n] = i
		}
	}
	for i, n := range []string{"src", "archive", "checksum", "mirrors"} {
		urlOrder[n] = i
	}
}

func itemName(it Item) string {
	switch it := it.(type) {
	case *Field:
		return it.Name
	case *Section:
		return it.Kind
	}
	return ""
}

// Canonical returns a copy of f with items in canonical order, recursively
// for sections. The sort is stable, so repeated names keep their order.
// Print(f) prints exactly Canonical(f), so Parse(Print(f)) equals Canonical(f).
func Canonical(f *File) *File {
	if f == nil {
		return &File{}
	}
	return &File{Items: canonicalItems(f.Items, fieldOrder)}
}

func canonicalItems(items []Item, order map[string]int) []Item {
	if items == nil {
		return nil
	}
	out := make([]Item, len(items))
	for i, it := range items {
		if s, ok := it.(*Section); ok {
			sub := fieldOrder
			if s.Kind == "url" || s.Kind == "extra-source" {
				sub = urlOrder
			}
			it = &Section{Kind: s.Kind, Label: s.Label, Items: canonicalItems(s.Items, sub)}
		}
		out[i] = it
	}
	rank := func(name string) (int, string) {
		if r, ok := order[name]; ok {
			return r, ""
		}
		if strings.HasPrefix(name, "x-") {
			return len(order), name
		}
		return len(order) + 1, name
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		ra, na := rank(itemName(a))
		rb, nb := rank(itemName(b))
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(na, nb)
	})
	return out
}

// Print writes f in canonical form: items in canonical order (see
// Canonical), two-space indentation inside sections, a field's list value
// with more than one element one element per line, nested lists inline,
// and strings re-escaped (those holding a newline as """...""").
func Print(f *File) []byte {
	var b strings.Builder
	printItems(&b, Canonical(f).Items, "")
	return []byte(b.String())
}

// PrintValue writes one value the way Print writes it inline.
func PrintValue(v Value) string {
	var b strings.Builder
	printValue(&b, v)
	return b.String()
}

func printItems(b *strings.Builder, items []Item, indent string) {
	for _, it := range items {
		switch it := it.(type) {
		case *Field:
			b.WriteString(indent)
			b.WriteString(it.Name)
			b.WriteString(":")
			if l, ok := it.Value.(List); ok && len(l) > 1 {
				b.WriteString(" [\n")
				for _, v := range l {
					b.WriteString(indent + "  ")
					printValue(b, v)
					b.WriteString("\n")
				}
				b.WriteString(indent + "]\n")
				continue
			}
			b.WriteString(" ")
			printValue(b, it.Value)
			b.WriteString("\n")
		case *Section:
			b.WriteString(indent)
			b.WriteString(it.Kind)
			if it.Label != nil {
				b.WriteString(" ")
				writeString(b, *it.Label)
			}
			b.WriteString(" {\n")
			printItems(b, it.Items, indent+"  ")
			b.WriteString(indent + "}\n")
		}
	}
}

func printValues(b *strings.Builder, vs []Value) {
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(' ')
		}
		printValue(b, v)
	}
}

func printValue(b *strings.Builder, v Value) {
	switch v := v.(type) {
	case Bool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case Int:
		b.WriteString(strconv.Itoa(int(v)))
	case String:
		writeString(b, string(v))
	case Ident:
		b.WriteString(string(v))
	case List:
		b.WriteByte('[')
		printValues(b, v)
		b.WriteByte(']')
	case Group:
		b.WriteByte('(')
		printValues(b, v)
		b.WriteByte(')')
	case *Option:
		printValue(b, v.Value)
		b.WriteString(" {")
		printValues(b, v.Filter)
		b.WriteByte('}')
	case *Logop:
		printValue(b, v.Left)
		b.WriteString(" " + v.Op + " ")
		printValue(b, v.Right)
	case *Relop:
		printValue(b, v.Left)
		b.WriteString(" " + v.Op + " ")
		printValue(b, v.Right)
	case *EnvBinding:
		printValue(b, v.Name)
		b.WriteString(" " + v.Op + " ")
		printValue(b, v.Value)
	case *PrefixRelop:
		b.WriteString(v.Op + " ")
		printValue(b, v.Value)
	case *Not:
		printPrefixed(b, "!", v.Value)
	case *Defined:
		printPrefixed(b, "?", v.Value)
	}
}

// printPrefixed keeps `!` and a following `=` apart, which would otherwise
// lex as `!=`.
func printPrefixed(b *strings.Builder, op string, v Value) {
	b.WriteString(op)
	if r, ok := v.(*PrefixRelop); ok && strings.HasPrefix(r.Op, "=") {
		b.WriteByte(' ')
	}
	printValue(b, v)
}

// writeString quotes s so that the lexer reads it back unchanged. Bytes
// above 0x7f pass through: opam strings are bytes, not necessarily UTF-8.
func writeString(b *strings.Builder, s string) {
	triple := strings.Contains(s, "\n")
	delim := `"`
	if triple {
		delim = `"""`
	}
	b.WriteString(delim)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n' && triple:
			b.WriteByte('\n')
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c < 0x20 || c == 0x7f:
			b.WriteByte('\\')
			b.WriteString(strconv.Itoa(int(c) + 1000)[1:])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString(delim)
}
