// Package viztest makes the inputs of the visualization benchmarks: a
// synthetic opam switch of any size and a large ELF binary whose symbols
// carry OCaml names, so that app/viz and the HTTP benchmarks measure the
// same thing.
package viztest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Switch is a switch export of n packages, each depending on up to four
// earlier ones (some build-only), the root on the last ten.
func Switch(n int) []byte {
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

// BigELF compiles a binary of about 11 MB with 20,000 OCaml-named symbols
// (60 libraries, 700 modules) and returns its path; without gcc the
// benchmark is skipped.
func BigELF(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		tb.Skip("no gcc")
	}
	dir := tb.TempDir()
	var src strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&src, "const char camlLib_%d__Mod_%d__v_%d[500] = {1};\n", i%60, i%700, i)
	}
	src.WriteString("int main(void) { return 0; }\n")
	c := filepath.Join(dir, "big.c")
	if err := os.WriteFile(c, []byte(src.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(dir, "big")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, c).CombinedOutput(); err != nil {
		tb.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}
