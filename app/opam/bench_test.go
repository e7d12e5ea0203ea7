package opam

import (
	"fmt"
	"strings"
	"testing"
)

// syntheticSwitch writes a `opam switch export --full` file of n packages
// shaped like the real ones. drift changes the version of every tenth
// package and the depends of every twenty-fifth, so two calls with
// different drift differ as builds a few weeks apart do.
func syntheticSwitch(n, drift int) []byte {
	var b strings.Builder
	name := func(i int) string { return fmt.Sprintf("pkg-%03d", i) }
	version := func(i int) string {
		if drift > 0 && i%10 == 3 {
			return fmt.Sprintf("%d.%d.%d", i%7, i%5, drift)
		}
		return fmt.Sprintf("%d.%d.0", i%7, i%5)
	}
	b.WriteString("opam-version: \"2.0\"\nroots: [\"" + name(0) + "." + version(0) + "\"]\ninstalled: [\n")
	for i := range n {
		fmt.Fprintf(&b, "  \"%s.%s\"\n", name(i), version(i))
	}
	b.WriteString("]\n")
	for i := range n {
		fmt.Fprintf(&b, `package %q {
  opam-version: "2.0"
  version: %q
  synopsis: "Synthetic package number %d"
  description: """
A longer description of package %d,
spread over two lines."""
  maintainer: "example maintainer <maint@example.org>"
  authors: ["A. Author" "B. Author"]
  license: "ISC"
  homepage: "https://example.org/%s"
  depends: [
    "ocaml" {>= "4.08.0"}
    "dune" {>= "3.0" & build}
    "%s" {with-test}
`, name(i), version(i), i, i, name(i), name((i+1)%n))
		if drift > 0 && i%25 == 7 {
			b.WriteString("    \"extra-dep\"\n")
		}
		fmt.Fprintf(&b, `  ]
  build: [
    ["dune" "subst"] {dev}
    ["dune" "build" "-p" name "-j" jobs "@install" "@runtest" {with-test}]
  ]
  dev-repo: "git+https://example.org/%s.git"
  url {
    src: "https://example.org/%s/releases/%s-%s.tbz"
    checksum: [
      "sha256=%064x"
      "sha512=%0128x"
    ]
  }
}
`, name(i), name(i), name(i), version(i), i, i)
	}
	return []byte(b.String())
}

func BenchmarkParseSwitch300(b *testing.B) {
	data := syntheticSwitch(300, 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSwitch(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff300(b *testing.B) {
	left, err := ParseSwitch(syntheticSwitch(300, 0))
	if err != nil {
		b.Fatal(err)
	}
	right, err := ParseSwitch(syntheticSwitch(300, 1))
	if err != nil {
		b.Fatal(err)
	}
	d := Diff(left, right)
	if len(d.VersionDiff) != 30 || len(d.OpamDiff) == 0 {
		b.Fatalf("synthetic switches: %d version changes, %d opam diffs", len(d.VersionDiff), len(d.OpamDiff))
	}
	b.ReportMetric(float64(len(d.OpamDiff)), "opamdiffs")
	b.ReportAllocs()
	for b.Loop() {
		Diff(left, right)
	}
}
