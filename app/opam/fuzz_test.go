package opam

import (
	"bytes"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	``,
	`opam-version: "2.0"`,
	`depends: ["a" {>= "1" & < "2"} ("b" | "c" {with-test}) !d ?e:f]`,
	`build: [["make" "-j%{jobs}%"] [make "install"] {os != "macos"}] setenv: [PATH += "x" X = "y"]`,
	"description: \"\"\"\n  multi \"line\"\n\"\"\" (* (* nested *) *) # line\n",
	`url { src: "s" checksum: ["sha256=00" "md5=11"] } extra-source "p" { src: "p" }`,
	`a: "\n\t\r\b\065\x41\"\\\ "` + "\"\\\n   x\"",
	`x: -1 y: true z: [] w: ( ) v: ! = "1"`,
	`roots: ["a.1"] installed: ["a.1" "b.2"] package "a" { x-opam-monorepo-duniverse-dirs: [["u" "d" ["md5=00000000000000000000000000000000"]]] }`,
}

func FuzzParse(f *testing.F) {
	for _, v := range switchVectors {
		f.Add(vectorSwitch(f, v))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		out := Print(file)
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Print(f)): %v\ninput: %q\nprinted: %q", err, data, out)
		}
		if !reflect.DeepEqual(back, Canonical(file)) {
			t.Fatalf("round trip changed the structure\ninput: %q\nprinted: %q\nreprinted: %q", data, out, Print(back))
		}
		if again := Print(back); !bytes.Equal(again, out) {
			t.Fatalf("Print not stable\nfirst: %q\nsecond: %q", out, again)
		}
		// The accessors must cope with whatever the file holds.
		file.Synopsis()
		file.Depends()
		file.URL()
		EffectivelyEqual(file, back)
	})
}

func FuzzParseSwitch(f *testing.F) {
	for _, v := range switchVectors {
		f.Add(vectorSwitch(f, v))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sw, err := ParseSwitch(data)
		if err != nil {
			return
		}
		d := Diff(sw, sw)
		if d.OnlyInLeft != nil || d.OnlyInRight != nil || d.VersionDiff != nil || d.OpamDiff != nil ||
			d.Duniverse.Left != nil || d.Duniverse.Right != nil || d.Duniverse.Changed != nil {
			t.Fatalf("a switch differs from itself: %+v\ninput: %q", d, data)
		}
		empty, err := ParseSwitch(nil)
		if err != nil {
			t.Fatal(err)
		}
		Diff(sw, empty)
		Diff(empty, sw)
	})
}
