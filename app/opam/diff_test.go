package opam

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func parseSwitchVector(t *testing.T, vector string) *Switch {
	t.Helper()
	sw, err := ParseSwitch(vectorSwitch(t, vector))
	if err != nil {
		t.Fatalf("%s: %v", vector, err)
	}
	return sw
}

func TestDiffVectors(t *testing.T) {
	left := parseSwitchVector(t, "compare_left.full")
	right := parseSwitchVector(t, "compare_right.full")
	rootDiff, err := os.ReadFile("testdata/udiff/opam_root.diff")
	if err != nil {
		t.Fatal(err)
	}
	root := Package{"mirage-unikernel-hello-hvt", "dev"}

	d := Diff(left, right)
	want := &SwitchDiff{
		OnlyInRight: []Package{{"duration", "0.2.1"}},
		VersionDiff: []VersionChange{{"fmt", "0.9.0", "0.10.0"}, {"ptime", "1.1.0", "1.2.0"}},
		OpamDiff: []FileDiff{{Package: root, Diff: strings.ReplaceAll(string(rootDiff),
			"left/opam_root", "left/mirage-unikernel-hello-hvt/opam")}},
	}
	// The root's depends gained "duration": a real change to its opam file.
	want.OpamDiff[0].Diff = strings.ReplaceAll(want.OpamDiff[0].Diff, "right/opam_root", "right/mirage-unikernel-hello-hvt/opam")
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Diff(left, right)\ngot:  %+v\nwant: %+v", d, want)
	}

	rev := Diff(right, left)
	if want := []Package{{"duration", "0.2.1"}}; !reflect.DeepEqual(rev.OnlyInLeft, want) || rev.OnlyInRight != nil {
		t.Errorf("reverse: OnlyInLeft = %v, OnlyInRight = %v; want %v, none", rev.OnlyInLeft, rev.OnlyInRight, want)
	}
	if want := []VersionChange{{"fmt", "0.10.0", "0.9.0"}, {"ptime", "1.2.0", "1.1.0"}}; !reflect.DeepEqual(rev.VersionDiff, want) {
		t.Errorf("reverse: VersionDiff = %v, want %v", rev.VersionDiff, want)
	}
	if len(rev.OpamDiff) != 1 || !strings.Contains(rev.OpamDiff[0].Diff, "\n-  \"duration\"\n") {
		t.Errorf("reverse: OpamDiff = %+v, want the root losing duration", rev.OpamDiff)
	}

	same := Diff(left, parseSwitchVector(t, "success_hvt.full"))
	if !reflect.DeepEqual(same, &SwitchDiff{}) {
		t.Errorf("Diff of identical switches = %+v, want empty", same)
	}
}

// A switch of three packages; overlay bodies are given per package.
func testSwitch(t *testing.T, extra string, overlays map[string]string) *Switch {
	t.Helper()
	src := `opam-version: "2.0"
roots: ["app.1"]
installed: ["app.1" "Zed.1" "lib.1" "pinned.1" "ocaml-base-compiler.5.0"]
pinned: ["pinned.1"]
compiler: ["ocaml-base-compiler.5.0"]
` + extra
	for name, body := range overlays {
		src += "package \"" + name + "\" {\n" + body + "\n}\n"
	}
	sw, err := ParseSwitch([]byte(src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return sw
}

func TestDiffEffectiveEquality(t *testing.T) {
	base := `version: "1"
depends: ["a" "b"]
build: [["make"]]
url { src: "https://x/a.tgz" checksum: ["sha256=` + strings.Repeat("a", 64) + `" "md5=` + strings.Repeat("b", 32) + `"] }`
	tests := []struct {
		name  string
		right string
		equal bool
	}{
		{"identical", base, true},
		{"ignored fields", base + `
synopsis: "other" description: "d" maintainer: "m" authors: "a" license: "MIT" tags: "t"
homepage: "h" doc: "d" bug-reports: "b" dev-repo: "git+x" messages: "m" post-messages: "p"
depexts: ["x"] libraries: "l" syntax: "s" pin-depends: [] x-foo: "bar" opam-version: "2.1"`, true},
		{"other src with same first checksum", strings.Replace(base, "https://x/a.tgz", "https://mirror/a.tgz", 1), true},
		{"other second checksum", strings.Replace(base, strings.Repeat("b", 32), strings.Repeat("c", 32), 1), true},
		{"brackets opam leaves out", strings.Replace(base, `[["make"]]`, `"make"`, 1), true},
		{"explicit defaults", base + "\navailable: true\ndepopts: []", true},
		{"explicit name", base + "\nname: \"lib\"", true},
		{"other first checksum", strings.Replace(base, strings.Repeat("a", 64), strings.Repeat("f", 64), 1), false},
		{"other depends", strings.Replace(base, `"b"]`, `"c"]`, 1), false},
		{"other build", strings.Replace(base, `"make"`, `"dune"`, 1), false},
		{"build-test is run-test", base + "\nbuild-test: \"t\"", false},
		{"available", base + "\navailable: os = \"linux\"", false},
		{"patches", base + "\npatches: \"p.diff\"", false},
		{"other version field", strings.Replace(base, `version: "1"`, `version: "2"`, 1), false},
		{"other name", base + "\nname: \"other\"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			left := testSwitch(t, "", map[string]string{"lib": base})
			right := testSwitch(t, "", map[string]string{"lib": tt.right})
			d := Diff(left, right)
			if got := len(d.OpamDiff) == 0; got != tt.equal {
				t.Fatalf("effectively equal = %v, want %v; diff %+v", got, tt.equal, d.OpamDiff)
			}
			if !tt.equal {
				od := d.OpamDiff[0]
				if od.Package != (Package{"lib", "1"}) || od.EffectivelyEqual ||
					!strings.HasPrefix(od.Diff, "--- left/lib/opam\n+++ right/lib/opam\n@@ ") {
					t.Errorf("OpamDiff = %+v", od)
				}
			}
		})
	}
	// build-test and run-test are the same field.
	a := testSwitch(t, "", map[string]string{"lib": base + "\nbuild-test: \"t\""})
	b := testSwitch(t, "", map[string]string{"lib": base + "\nrun-test: \"t\""})
	if d := Diff(a, b); len(d.OpamDiff) != 0 {
		t.Errorf("build-test vs run-test: %+v", d.OpamDiff)
	}
}

// Pinned and compiler packages are compared like the others (product
// §2.11); packages without an overlay compare as empty opam files.
func TestDiffPinnedCompilerAndMissingOverlays(t *testing.T) {
	left := testSwitch(t, "", map[string]string{"pinned": `version: "1" build: "a"`, "app": `version: "1" build: "y"`})
	right := testSwitch(t, "", map[string]string{"pinned": `version: "1" build: "b"`, "lib": `version: "1" build: "x"`})
	d := Diff(left, right)
	var names []string
	for _, od := range d.OpamDiff {
		names = append(names, od.Package.Name)
	}
	// app's overlay is missing on the right, lib's on the left; sorted as opam does, ignoring case.
	if want := []string{"app", "lib", "pinned"}; !reflect.DeepEqual(names, want) {
		t.Errorf("opam diffs for %v, want %v", names, want)
	}
	if d.Duniverse.Err != "opam switch export doesn't contain the main package" {
		t.Errorf("Duniverse.Err = %q", d.Duniverse.Err)
	}
}

func TestDiffOrdering(t *testing.T) {
	left := testSwitch(t, "", nil)
	right, err := ParseSwitch([]byte(`roots: ["app.1"] installed: ["app.1" "b.1" "A.1" "lib.2"]`))
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(left, right)
	want := &SwitchDiff{
		OnlyInLeft:  []Package{{"ocaml-base-compiler", "5.0"}, {"pinned", "1"}, {"Zed", "1"}},
		OnlyInRight: []Package{{"A", "1"}, {"b", "1"}},
		VersionDiff: []VersionChange{{"lib", "1", "2"}},
		Duniverse:   DuniverseDiff{Err: "opam switch export doesn't contain the main package"},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}
}

func TestDiffDuniverse(t *testing.T) {
	h := func(c byte) string { return "sha256=" + strings.Repeat(string(c), 64) }
	md5 := "md5=" + strings.Repeat("0", 32)
	left := `x-opam-monorepo-duniverse-dirs: [
  ["https://a/a.tgz" "a" ["` + h('1') + `"]]
  ["https://b/b.tgz" "b" ["` + h('2') + `" "` + md5 + `"]]
  ["git+https://c" "c"]
  ["git+https://d" "d"]
  ["https://e/e.tgz" "e" ["` + h('5') + `"]]
  ["https://f/f.tgz" "f" ["` + h('6') + `"]]
  ["https://old/g.tgz" "g" ["` + h('7') + `"]]
]`
	right := `x-opam-monorepo-duniverse-dirs: [
  ["https://b2/b.tgz" "b" ["` + md5 + `" "` + h('2') + `"]]
  ["git+https://c" "c"]
  ["git+https://d2" "d"]
  ["https://e/e.tgz" "e" ["` + h('9') + `"]]
  ["https://f/f.tgz" "f" []]
  ["https://new/g.tgz" "g" ["` + h('7') + `" "sha512=` + strings.Repeat("e", 128) + `"]]
  ["https://h/h.tgz" "h" ["` + h('8') + `"]]
]`
	l := testSwitch(t, "", map[string]string{"app": left})
	r := testSwitch(t, "", map[string]string{"app": right})
	s := func(s string) *string { return &s }
	want := DuniverseDiff{
		Left:  []DuniverseDir{{"a", "https://a/a.tgz"}},
		Right: []DuniverseDir{{"h", "https://h/h.tgz"}},
		Changed: []DuniverseChange{
			{Dir: "d", URLLeft: "git+https://d", URLRight: "git+https://d2"},
			{Dir: "e", URLLeft: "https://e/e.tgz", URLRight: "https://e/e.tgz",
				Hashes: []HashChange{{"sha256", s(strings.Repeat("5", 64)), s(strings.Repeat("9", 64))}}},
			{Dir: "f", URLLeft: "https://f/f.tgz", URLRight: "https://f/f.tgz",
				Hashes: []HashChange{{"sha256", s(strings.Repeat("6", 64)), nil}}},
			{Dir: "g", URLLeft: "https://old/g.tgz", URLRight: "https://new/g.tgz",
				Hashes: []HashChange{{"sha512", nil, s(strings.Repeat("e", 128))}}},
		},
	}
	if got := Diff(l, r).Duniverse; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDiffDuniverseErrors(t *testing.T) {
	ok := `x-opam-monorepo-duniverse-dirs: [["u" "d"]]`
	tests := []struct {
		name, extra, app, want string
	}{
		{"absent field", "", `version: "1"`, ""},
		{"two roots", `roots: ["app.1" "lib.1"]`, ok, "not a single root package found in opam switch export"},
		{"no root", `roots: []`, ok, "not a single root package found in opam switch export"},
		{"not a list", "", `x-opam-monorepo-duniverse-dirs: "x"`, "expected a list or a nested list"},
		{"one entry unwrapped", "", `x-opam-monorepo-duniverse-dirs: ["u" "d"]`, "expected a list of URL, DIR, [HASHES]"},
		{"four elements", "", `x-opam-monorepo-duniverse-dirs: [["u" "d" [] "x"]]`, "expected a list of URL, DIR, [HASHES]"},
		{"url not a string", "", `x-opam-monorepo-duniverse-dirs: [[u "d"]]`, "couldn't find a string url"},
		{"dir not a string", "", `x-opam-monorepo-duniverse-dirs: [["u" d]]`, "couldn't find a string directory"},
		{"hashes not a list", "", `x-opam-monorepo-duniverse-dirs: [["u" "d" "sha256=00"]]`, "couldn't decode hashes"},
		{"hash not a string", "", `x-opam-monorepo-duniverse-dirs: [["u" "d" [sha]]]`, "couldn't find a string hash"},
		{"bad hash", "", `x-opam-monorepo-duniverse-dirs: [["u" "d" ["sha256=00"]]]`, "couldn't decode opam hash in sha256=00"},
		{"unknown kind", "", `x-opam-monorepo-duniverse-dirs: [["u" "d" ["sha1=` + strings.Repeat("0", 40) + `"]]]`,
			"couldn't decode opam hash in sha1=" + strings.Repeat("0", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := testSwitch(t, tt.extra, map[string]string{"app": tt.app})
			good := testSwitch(t, "", map[string]string{"app": ok})
			for _, d := range []*SwitchDiff{Diff(bad, good), Diff(good, bad)} {
				if d.Duniverse.Err != tt.want {
					t.Errorf("Duniverse.Err = %q, want %q", d.Duniverse.Err, tt.want)
				}
				if tt.want != "" && (d.Duniverse.Left != nil || d.Duniverse.Right != nil || d.Duniverse.Changed != nil) {
					t.Errorf("an error must hide the lists: %+v", d.Duniverse)
				}
			}
		})
	}
}

func TestParseHash(t *testing.T) {
	tests := []struct {
		in   string
		want opamHash
		ok   bool
	}{
		{"sha256=" + strings.Repeat("a", 64), opamHash{"sha256", strings.Repeat("a", 64)}, true},
		{"sha512=" + strings.Repeat("A", 128), opamHash{"sha512", strings.Repeat("A", 128)}, true},
		{"md5=" + strings.Repeat("0", 32), opamHash{"md5", strings.Repeat("0", 32)}, true},
		{strings.Repeat("0", 32), opamHash{"md5", strings.Repeat("0", 32)}, true},
		{"sha256=" + strings.Repeat("g", 64), opamHash{}, false},
		{"sha256=" + strings.Repeat("a", 63), opamHash{}, false},
		{"SHA256=" + strings.Repeat("a", 64), opamHash{}, false},
		{"", opamHash{}, false},
	}
	for _, tt := range tests {
		got, ok := parseHash(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parseHash(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
