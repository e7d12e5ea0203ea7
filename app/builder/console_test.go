package builder

import (
	"bytes"
	"testing"
)

func TestWriteConsole(t *testing.T) {
	tests := []struct {
		name  string
		lines []ConsoleLine // newest first
		want  string
	}{
		{"empty", nil, ""},
		{"order and rounding", []ConsoleLine{{3206999999, "b"}, {12000000, "a:b"}}, "0.012s:a:b\n3.207s:b\n"},
		{"raw bytes", []ConsoleLine{{0, "\xff\r\t\x00"}}, "0.000s:\xff\r\t\x00\n"},
		{"half rounds to even", []ConsoleLine{{62500000, ""}, {1062500000, ""}}, "1.062s:\n0.062s:\n"},
		// Duration.to_f reads the int64 as unsigned
		{"negative delta", []ConsoleLine{{-1, "negative delta -1"}}, "18446744073.710s:negative delta -1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteConsole(&b, tt.lines); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("WriteConsole = %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestParseConsole(t *testing.T) {
	tests := []struct {
		in   string
		want []ConsoleLine
	}{
		{"", nil},
		{"0.012s:a:b\n3.207s:b\n", []ConsoleLine{{3206999999, "b"}, {12000000, "a:b"}}},
		{"1.5s:no newline", []ConsoleLine{{1500000000, "no newline"}}},
		{"2:no s\n", []ConsoleLine{{2000000000, "no s"}}},
		{"no colon\n:starts with colon\nx:not a number\n1.000s:kept\n", []ConsoleLine{{1000000000, "kept"}}},
		{"0.000s:\n\n0.001s:\r\n", []ConsoleLine{{1000000, "\r"}, {0, ""}}},
		{"18446744073.710s:negative delta -1\n", []ConsoleLine{{-1, "negative delta -1"}}},
	}
	for _, tt := range tests {
		got := ParseConsole([]byte(tt.in))
		if len(got) != len(tt.want) {
			t.Errorf("ParseConsole(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("ParseConsole(%q) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

// What comes back from console.txt is millisecond-rounded and often 1 ns
// low, but writing it again gives the same text.
func TestConsoleRoundTrip(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.want.DecodeOK {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			e, err := Decode(v.data)
			if err != nil {
				t.Fatal(err)
			}
			var first, second bytes.Buffer
			if err := WriteConsole(&first, e.Console); err != nil {
				t.Fatal(err)
			}
			back := ParseConsole(first.Bytes())
			if len(back) != len(e.Console) {
				t.Fatalf("ParseConsole gave %d lines, want %d", len(back), len(e.Console))
			}
			for i, l := range back {
				orig := e.Console[i]
				if l.Data != orig.Data {
					t.Errorf("line %d = %q, want %q", i, l.Data, orig.Data)
				}
				if d := l.Delta - orig.Delta; orig.Delta >= 0 && (d < -1e6 || d > 1e6) {
					t.Errorf("line %d delta = %d, want within 1 ms of %d", i, l.Delta, orig.Delta)
				}
			}
			if err := WriteConsole(&second, back); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("WriteConsole(ParseConsole(x)) differs from x")
			}
		})
	}
}
