package opam

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, src string
		want      Value
	}{
		{"bool", `true`, Bool(true)},
		{"false", `false`, Bool(false)},
		{"int", `42`, Int(42)},
		{"negative int", `-7`, Int(-7)},
		{"string", `"a b"`, String("a b")},
		{"escapes", `"q\"b\\n\n\t\r\b\065\x41\ \'"`, String("q\"b\\n\n\t\r\bAA '")},
		{"line continuation", "\"ab\\\n    cd\"", String("abcd")},
		{"raw newline", "\"a\nb\"", String("a\nb")},
		{"interpolation kept", `"%{bin}%/x"`, String("%{bin}%/x")},
		{"triple quoted", `"""say "hi" there"""`, String(`say "hi" there`)},
		{"triple quoted multiline", "\"\"\"\nline 1\nline \\\"2\\\"\n\"\"\"", String("\nline 1\nline \"2\"\n")},
		{"ident", `build`, Ident("build")},
		{"package variable", `ocaml:version`, Ident("ocaml:version")},
		{"ident with plus", `conf-gmp+foo:installed`, Ident("conf-gmp+foo:installed")},
		{"ident starting with digits", `32bit`, Ident("32bit")},
		{"ident true prefix", `trueish`, Ident("trueish")},
		{"empty list", `[]`, List{}},
		{"list", `[a "b" 1]`, List{Ident("a"), String("b"), Int(1)}},
		{"nested list", `[[a] []]`, List{List{Ident("a")}, List{}}},
		{"group", `(a b)`, Group{Ident("a"), Ident("b")}},
		{"option", `"ocaml" {>= "4.08"}`, &Option{Value: String("ocaml"), Filter: []Value{&PrefixRelop{Op: ">=", Value: String("4.08")}}}},
		{"option with filter formula", `"dune" {build & >= "3.0"}`, &Option{Value: String("dune"), Filter: []Value{
			&Logop{Op: "&", Left: Ident("build"), Right: &PrefixRelop{Op: ">=", Value: String("3.0")}}}}},
		{"empty option", `a {}`, &Option{Value: Ident("a"), Filter: []Value{}}},
		{"stacked options", `a {x} {y}`, &Option{Value: &Option{Value: Ident("a"), Filter: []Value{Ident("x")}}, Filter: []Value{Ident("y")}}},
		{"relop", `os = "linux"`, &Relop{Op: "=", Left: Ident("os"), Right: String("linux")}},
		{"all relops", `[a != b a < b a <= b a > b a >= b]`, List{
			&Relop{Op: "!=", Left: Ident("a"), Right: Ident("b")},
			&Relop{Op: "<", Left: Ident("a"), Right: Ident("b")},
			&Relop{Op: "<=", Left: Ident("a"), Right: Ident("b")},
			&Relop{Op: ">", Left: Ident("a"), Right: Ident("b")},
			&Relop{Op: ">=", Left: Ident("a"), Right: Ident("b")},
		}},
		{"prefix relops", `>= "1.0" & < "2.0"`, &Logop{Op: "&",
			Left:  &PrefixRelop{Op: ">=", Value: String("1.0")},
			Right: &PrefixRelop{Op: "<", Value: String("2.0")}}},
		{"and binds tighter than or", `a | b & c`, &Logop{Op: "|", Left: Ident("a"),
			Right: &Logop{Op: "&", Left: Ident("b"), Right: Ident("c")}}},
		{"and before or", `a & b | c`, &Logop{Op: "|",
			Left: &Logop{Op: "&", Left: Ident("a"), Right: Ident("b")}, Right: Ident("c")}},
		{"left associative", `a | b | c`, &Logop{Op: "|",
			Left: &Logop{Op: "|", Left: Ident("a"), Right: Ident("b")}, Right: Ident("c")}},
		{"relop tighter than logop", `os = "linux" & arch != "arm"`, &Logop{Op: "&",
			Left:  &Relop{Op: "=", Left: Ident("os"), Right: String("linux")},
			Right: &Relop{Op: "!=", Left: Ident("arch"), Right: String("arm")}}},
		{"parentheses", `(a | b) & c`, &Logop{Op: "&",
			Left: Group{&Logop{Op: "|", Left: Ident("a"), Right: Ident("b")}}, Right: Ident("c")}},
		{"not", `!a & b`, &Logop{Op: "&", Left: &Not{Value: Ident("a")}, Right: Ident("b")}},
		{"not relop", `!os = "win32"`, &Not{Value: &Relop{Op: "=", Left: Ident("os"), Right: String("win32")}}},
		{"not prefix eq", `! = "1"`, &Not{Value: &PrefixRelop{Op: "=", Value: String("1")}}},
		{"defined", `?foo:bar`, &Defined{Value: Ident("foo:bar")}},
		{"not takes option", `!a {x}`, &Not{Value: &Option{Value: Ident("a"), Filter: []Value{Ident("x")}}}},
		{"option after formula operand", `"a" {build} | "b"`, &Logop{Op: "|",
			Left: &Option{Value: String("a"), Filter: []Value{Ident("build")}}, Right: String("b")}},
		{"env bindings", `[PATH += "a" X := "b" Y =+ "c" Z =: "d" W =+= "e"]`, List{
			&EnvBinding{Op: "+=", Name: Ident("PATH"), Value: String("a")},
			&EnvBinding{Op: ":=", Name: Ident("X"), Value: String("b")},
			&EnvBinding{Op: "=+", Name: Ident("Y"), Value: String("c")},
			&EnvBinding{Op: "=:", Name: Ident("Z"), Value: String("d")},
			&EnvBinding{Op: "=+=", Name: Ident("W"), Value: String("e")},
		}},
		{"setenv equals is a relop", `[FOO = "bar"]`, List{&Relop{Op: "=", Left: Ident("FOO"), Right: String("bar")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte("f: " + tt.src))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			want := &File{Items: []Item{&Field{Name: "f", Value: tt.want}}}
			if !reflect.DeepEqual(f, want) {
				t.Errorf("Parse(%q)\ngot:  %s\nwant: %s", tt.src, Print(f), Print(want))
			}
		})
	}
}

func TestParseItems(t *testing.T) {
	src := `# a line comment
opam-version: "2.0" (* a (* nested *) block comment *)
url {
  src: "https://example.org/a.tgz"
  checksum: "sha256=00"
}
extra-source "p.patch" {
  src: "https://example.org/p.patch"
}
x-foo: true
`
	want := &File{Items: []Item{
		&Field{Name: "opam-version", Value: String("2.0")},
		&Section{Kind: "url", Items: []Item{
			&Field{Name: "src", Value: String("https://example.org/a.tgz")},
			&Field{Name: "checksum", Value: String("sha256=00")},
		}},
		&Section{Kind: "extra-source", Label: strp("p.patch"), Items: []Item{
			&Field{Name: "src", Value: String("https://example.org/p.patch")},
		}},
		&Field{Name: "x-foo", Value: Bool(true)},
	}}
	got, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", Print(got), Print(want))
	}
	empty, err := Parse([]byte("  # nothing\n(* at all *)"))
	if err != nil || len(empty.Items) != 0 {
		t.Errorf("empty file: got %v, %v; want no items, no error", empty, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unterminated string", "a: \"abc", "1:4: unterminated string"},
		{"unterminated triple string", "a: \"\"\"abc\"\"", "1:4: unterminated string"},
		{"unterminated comment", "a: b\n  (* (* *)", "2:3: unterminated comment"},
		{"bad escape", `a: "\q"`, "1:5: illegal escape sequence"},
		{"escape over 255", `a: "\256"`, "1:5: illegal escape sequence"},
		{"bad token", "a: b\nc: $", "2:4: '$' is not a valid token"},
		{"missing value", "a:", "1:3: unexpected end of file, expected a value"},
		{"missing colon", "a b", "1:3: unexpected identifier, expected ':' or a section body"},
		{"unclosed list", "a: [b c", "1:8: unexpected end of file, expected ']'"},
		{"unclosed section", "url {\n src: \"x\"", "2:10: unexpected end of file, expected a field or section name"},
		{"relop needs atom", "a: b = [c]", "1:8: unexpected '[', expected a value"},
		{"stray brace", "}", "1:1: unexpected '}', expected a field or section name"},
		{"int overflow", "a: 99999999999999999999", "1:4: integer out of range: 99999999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error = %v, want *Error %q", tt.src, err, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.src, err, tt.want)
			}
		})
	}
}

// Hostile nesting must end in an error, not a stack overflow.
func TestParseDeepNesting(t *testing.T) {
	n := 100000
	for name, src := range map[string]string{
		"lists":    "a: " + strings.Repeat("[", n) + strings.Repeat("]", n),
		"groups":   "a: " + strings.Repeat("(", n) + strings.Repeat(")", n),
		"nots":     "a: " + strings.Repeat("!", n) + "b",
		"options":  "a: b" + strings.Repeat(" {c}", n),
		"ands":     "a: b" + strings.Repeat(" & c", n),
		"sections": strings.Repeat("s {", n) + strings.Repeat("}", n),
		"filters":  "a: " + strings.Repeat("b {", n) + strings.Repeat("}", n),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(src))
			if err == nil || !strings.Contains(err.Error(), "nesting deeper than") {
				t.Errorf("got error %v, want a nesting error", err)
			}
		})
	}
	ok := "a: " + strings.Repeat("[", 50) + strings.Repeat("]", 50)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("50 nested lists: %v", err)
	}
}
