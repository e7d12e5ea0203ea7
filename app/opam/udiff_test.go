package opam

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The expected outputs in testdata/udiff were written by GNU diff
// (testdata/udiff/gen.sh); this test does not run it.
func TestUnifiedDiffMatchesGNUDiff(t *testing.T) {
	inputs, err := filepath.Glob("testdata/udiff/*.a")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no udiff cases: %v", err)
	}
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".a")
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(in, ".a")
			a, b, want := read(base+".a"), read(base+".b"), read(base+".diff")
			got := UnifiedDiff("left/"+name, "right/"+name, a, b)
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestUnifiedDiffEqualIsEmpty(t *testing.T) {
	for _, s := range []string{"", "a", "a\nb\n", "a\n\n"} {
		if got := UnifiedDiff("l", "r", []byte(s), []byte(s)); got != "" {
			t.Errorf("UnifiedDiff(%q, %q) = %q, want empty", s, s, got)
		}
	}
}

func TestHunkRange(t *testing.T) {
	tests := []struct {
		start, n int
		want     string
	}{{0, 0, "0,0"}, {4, 0, "4,0"}, {0, 1, "1"}, {9, 1, "10"}, {0, 5, "1,5"}, {2, 3, "3,3"}}
	for _, tt := range tests {
		if got := hunkRange(tt.start, tt.n); got != tt.want {
			t.Errorf("hunkRange(%d, %d) = %q, want %q", tt.start, tt.n, got, tt.want)
		}
	}
}
