package opam

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gnuTies are the cases with several equally short diffs, where GNU diff's
// tie-breaking (shift_boundaries) and go-udiff's pick different lines. Their
// output must still add and remove as many lines as GNU's.
var gnuTies = map[string]bool{"ties": true, "blank_lines": true}

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
			if gnuTies[name] {
				if g, w := changeCounts(got), changeCounts(string(want)); g != w {
					t.Errorf("(added, removed) = %v, GNU diff: %v\ngot:\n%s\nwant:\n%s", g, w, got, want)
				}
				return
			}
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

// changeCounts counts a unified diff's added and removed lines.
func changeCounts(diff string) [2]int {
	var n [2]int
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			n[0]++
		case strings.HasPrefix(l, "-"):
			n[1]++
		}
	}
	return n
}
