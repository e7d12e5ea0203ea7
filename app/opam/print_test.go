package opam

import (
	"bytes"
	"reflect"
	"sort"
	"testing"
)

// checkRoundTrip asserts that printing f and parsing the text gives f's
// canonical form back, and that printing again changes nothing.
func checkRoundTrip(t *testing.T, f *File) {
	t.Helper()
	out := Print(f)
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Print(f)): %v\n%s", err, out)
	}
	if want := Canonical(f); !reflect.DeepEqual(back, want) {
		t.Fatalf("Parse(Print(f)) differs from Canonical(f)\nprinted:\n%s\nreprinted:\n%s", out, Print(back))
	}
	if again := Print(back); !bytes.Equal(again, out) {
		t.Fatalf("Print not stable\nfirst:\n%s\nsecond:\n%s", out, again)
	}
}

func TestPrintRoundTripOverlays(t *testing.T) {
	for _, v := range switchVectors {
		sw, err := ParseSwitch(vectorSwitch(t, v))
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(sw.Overlays))
		for name := range sw.Overlays {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			t.Run(v+"/"+name, func(t *testing.T) { checkRoundTrip(t, sw.Overlays[name]) })
		}
		t.Run(v+"/whole", func(t *testing.T) {
			f, err := Parse(vectorSwitch(t, v))
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, f)
		})
	}
}

func TestPrint(t *testing.T) {
	src := `x-b: 1
zzz: 2
x-a: 1
url { checksum: "md5=0" src: "s" }
build: [["make" "-j" jobs] ["make" "install"] {with-test}]
version: "1"
depends: ["a" {>= "1" & < "2"} ("b" | "c")]
description: """
Two "quoted"
lines\there"""
synopsis: "ctrl \001 bs \\ cr \r utf8 é"
flags: light-uninstall
available: !(os = "win32") & ?foo & ! = "1"
opam-version: "2.0"
name: "p"
run-test: "t"
build-test: "old"
depopts: []
extra-source "b.patch" { src: "b" checksum: "sha256=1" }
extra-source "a.patch" { src: "a" }
`
	want := `opam-version: "2.0"
name: "p"
version: "1"
synopsis: "ctrl \001 bs \\ cr \r utf8 é"
description: """
Two \"quoted\"
lines\there"""
depends: [
  "a" {>= "1" & < "2"}
  ("b" | "c")
]
depopts: []
available: !(os = "win32") & ?foo & ! = "1"
flags: light-uninstall
build: [
  ["make" "-j" jobs]
  ["make" "install"] {with-test}
]
run-test: "t"
build-test: "old"
extra-source "b.patch" {
  src: "b"
  checksum: "sha256=1"
}
extra-source "a.patch" {
  src: "a"
}
url {
  src: "s"
  checksum: "md5=0"
}
x-a: 1
x-b: 1
zzz: 2
`
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(Print(f)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	checkRoundTrip(t, f)
}

func TestPrintNilAndEmpty(t *testing.T) {
	if got := Print(nil); len(got) != 0 {
		t.Errorf("Print(nil) = %q, want empty", got)
	}
	if got := Print(&File{}); len(got) != 0 {
		t.Errorf("Print(empty) = %q, want empty", got)
	}
}
