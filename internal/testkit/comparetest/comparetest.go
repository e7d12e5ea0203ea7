// Package comparetest makes builds to compare in tests and benchmarks:
// switch exports of any size shaped like `opam switch export --full`, and
// whole upload records (encoded with builder.Encode) that carry them.
package comparetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
)

// Switch writes a switch export of n packages named pkg-000…, each with
// an overlay like opam's (depends, build, url with checksums, and the
// fields effective equality ignores). drift makes builds a few weeks
// apart: with drift > 0 every tenth package has another version, every
// twenty-fifth another depends, and every fiftieth is replaced by a
// differently named one.
func Switch(n, drift int) []byte {
	var b strings.Builder
	name := func(i int) string {
		if drift > 0 && i%50 == 49 {
			return fmt.Sprintf("new-%03d", i)
		}
		return fmt.Sprintf("pkg-%03d", i)
	}
	version := func(i int) string {
		if drift > 0 && i%10 == 3 {
			return fmt.Sprintf("%d.%d.%d", i%7, i%5, drift)
		}
		return fmt.Sprintf("%d.%d.0", i%7, i%5)
	}
	b.WriteString("opam-version: \"2.0\"\ncompiler: [\"" + name(0) + "." + version(0) + "\"]\nroots: [\"" + name(0) + "." + version(0) + "\"]\ninstalled: [\n")
	for i := range n {
		fmt.Fprintf(&b, "  \"%s.%s\"\n", name(i), version(i))
	}
	b.WriteString("]\n")
	for i := range n {
		fmt.Fprintf(&b, `package %q {
  opam-version: "2.0"
  name: %q
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
`, name(i), name(i), version(i), i, i, name(i), name((i+1)%n))
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

// Environment writes a build-environment of orb's shape; drift changes
// HOSTNAME and PWD.
func Environment(drift int) []byte {
	return fmt.Appendf(nil, "HOME=/var/lib/builder\nHOSTNAME=worker-%d\nLANG=C.UTF-8\nPATH=/usr/bin:/bin\nPWD=/tmp/builder.%d\nUSER=builder\nOS=linux",
		drift, drift)
}

// SystemPackages writes n dpkg-query lines; drift bumps every fifth version.
func SystemPackages(n, drift int) []byte {
	var b strings.Builder
	for i := range n {
		v := 0
		if drift > 0 && i%5 == 0 {
			v = drift
		}
		fmt.Fprintf(&b, "lib%03d=1.%d-%d\n", i, i, v)
	}
	return []byte(strings.TrimSuffix(b.String(), "\n"))
}

// Build describes one record to upload.
type Build struct {
	UUID     string // text form
	Job      string
	Platform string
	Start    time.Time
	// Files are stored as artifacts; a path under bin/ becomes the main
	// binary when it is the only one.
	Files map[string][]byte
}

// Record encodes b as builder would upload it: exit 0, one console line.
func Record(tb testing.TB, b Build) []byte {
	tb.Helper()
	u, err := builder.ParseUUID(b.UUID)
	if err != nil {
		tb.Fatal(err)
	}
	platform := b.Platform
	if platform == "" {
		platform = "debian-12"
	}
	e := &builder.Exec{Header: builder.Header{
		Job:     builder.Job{Name: b.Job, Script: "#!/bin/sh\norb build\n", Platform: platform},
		UUID:    u,
		Console: []builder.ConsoleLine{{Delta: 1e6, Data: "done"}},
		Start:   b.Start.UTC().Truncate(time.Millisecond),
		Finish:  b.Start.UTC().Truncate(time.Millisecond).Add(time.Minute),
	}}
	for _, path := range sortedKeys(b.Files) {
		e.Files = append(e.Files, builder.File{Path: path, Data: b.Files[path]})
	}
	data, err := builder.Encode(e)
	if err != nil {
		tb.Fatalf("encode %s: %v", b.UUID, err)
	}
	return data
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
