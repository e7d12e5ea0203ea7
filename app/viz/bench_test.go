package viz

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// syntheticSwitch is a switch export of n packages, each depending on up
// to four earlier ones (some build-only), the root on the last ten.
func syntheticSwitch(n int) []byte {
	var b strings.Builder
	b.WriteString("opam-version: \"2.0\"\nroots: [\"root.1\"]\ninstalled: [\n\"root.1\"\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "\"pkg-%d.1.0\"\n", i)
	}
	b.WriteString("]\n")
	dep := func(i int) string { return fmt.Sprintf("pkg-%d", i) }
	b.WriteString("package \"root\" {\nopam-version: \"2.0\"\nversion: \"1\"\ndepends: [\n")
	for i := n - 11; i < n-1; i++ {
		fmt.Fprintf(&b, "%q\n", dep(i))
	}
	b.WriteString("]\n}\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "package %q {\nopam-version: \"2.0\"\nversion: \"1.0\"\ndepends: [\n", dep(i))
		for k := 1; k <= 4 && i-k*k*3 >= 0; k++ {
			if k == 2 {
				fmt.Fprintf(&b, "%q {build}\n", dep(i-k*k*3))
			} else {
				fmt.Fprintf(&b, "%q {>= \"1.0\"}\n", dep(i-k*k*3))
			}
		}
		b.WriteString("]\n}\n")
	}
	return []byte(b.String())
}

// Issue 13: a 300-package graph in ≤ 1 s.
func BenchmarkDependencies300(b *testing.B) {
	data := syntheticSwitch(300)
	if _, err := DependenciesPage(data); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := DependenciesPage(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 13: the treemap of a 10 MB binary with 20,000 symbols in ≤ 1 s.
func BenchmarkTreemap20000(b *testing.B) {
	if _, err := exec.LookPath("gcc"); err != nil {
		b.Skip("no gcc")
	}
	dir := b.TempDir()
	var src strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&src, "const char camlLib_%d__Mod_%d__v_%d[500] = {1};\n", i%60, i%700, i)
	}
	src.WriteString("int main(void) { return 0; }\n")
	c := filepath.Join(dir, "big.c")
	if err := os.WriteFile(c, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "big")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, c).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	f, err := os.Open(bin)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	b.ResetTimer()
	for range b.N {
		s, err := BinarySizes(f, fi.Size())
		if err != nil {
			b.Fatal(err)
		}
		_ = TreemapHTML(s, "big")
	}
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

// A 300-package switch draws as a graph with every package and edge.
func TestDependencies300(t *testing.T) {
	page, err := DependenciesPage(syntheticSwitch(300))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `<g id="p-`); n != 300 {
		t.Errorf("%d nodes, want 300", n)
	}
}
