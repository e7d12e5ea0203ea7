package opam

import (
	"reflect"
	"testing"
)

func TestParseSwitchVectors(t *testing.T) {
	root := Package{Name: "mirage-unikernel-hello-hvt", Version: "dev"}
	tests := []struct {
		vector    string
		installed int
		versions  map[string]string // name → version; "" means not installed
	}{
		{"success_hvt.full", 13, map[string]string{
			"fmt": "0.9.0", "ptime": "1.1.0", "dune": "3.16.0", "ocaml": "4.14.2",
			"solo5": "0.8.1", "ocaml-config": "2", "base-unix": "base", "duration": "",
		}},
		{"compare_left.full", 13, map[string]string{"fmt": "0.9.0", "ptime": "1.1.0", "duration": ""}},
		{"compare_right.full", 14, map[string]string{"fmt": "0.10.0", "ptime": "1.2.0", "duration": "0.2.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.vector, func(t *testing.T) {
			sw, err := ParseSwitch(vectorSwitch(t, tt.vector))
			if err != nil {
				t.Fatalf("ParseSwitch: %v", err)
			}
			if sw.OpamVersion != "2.0" {
				t.Errorf("OpamVersion = %q, want 2.0", sw.OpamVersion)
			}
			if want := []Package{root}; !reflect.DeepEqual(sw.Roots, want) {
				t.Errorf("Roots = %v, want %v", sw.Roots, want)
			}
			if got, err := sw.Root(); err != nil || got != root {
				t.Errorf("Root() = %v, %v; want %v", got, err, root)
			}
			if len(sw.Installed) != tt.installed {
				t.Errorf("%d installed, want %d: %v", len(sw.Installed), tt.installed, sw.Installed)
			}
			if len(sw.Overlays) != tt.installed {
				t.Errorf("%d overlays, want %d", len(sw.Overlays), tt.installed)
			}
			for name, want := range tt.versions {
				got, ok := sw.InstalledVersion(name)
				if got != want || ok != (want != "") || sw.IsInstalled(name) != ok {
					t.Errorf("version of %s = %q (installed %v), want %q", name, got, ok, want)
				}
			}
			if len(sw.Pinned) != 0 || len(sw.Compiler) != 0 {
				t.Errorf("Pinned = %v, Compiler = %v; want none", sw.Pinned, sw.Compiler)
			}

			opam, ok := sw.Overlay(root.Name)
			if !ok {
				t.Fatalf("no overlay for the root package")
			}
			if got, want := opam.Synopsis(), "Hello world MirageOS unikernel for the hvt target"; got != want {
				t.Errorf("Synopsis() = %q, want %q", got, want)
			}
			if got, want := opam.Description(), "A tiny unikernel that prints hello four times."; got != want {
				t.Errorf("Description() = %q, want %q", got, want)
			}
			if !opam.HasExtension("x-mirage-opam-lock-location") {
				t.Errorf("root has no x-mirage-opam-lock-location")
			}
			if v, _ := opam.Extension("x-mirage-opam-lock-location"); v != String("mirage/hello-hvt.opam.locked") {
				t.Errorf("x-mirage-opam-lock-location = %v", v)
			}
			if _, ok := opam.Extension("version"); ok {
				t.Errorf("Extension(version) found a non-extension field")
			}
			deps := opam.Depends()
			for _, want := range []string{"ocaml", "dune", "mirage-runtime", "fmt", "ptime", "solo5"} {
				if !contains(deps, want) {
					t.Errorf("Depends() = %v, missing %s", deps, want)
				}
			}
			if contains(deps, "4.08.0") {
				t.Errorf("Depends() = %v includes a version", deps)
			}
			src, sums, ok := opam.URL()
			if !ok || src != "https://git.example.org/unikernels/hello/archive/v1.0.tar.gz" || len(sums) != 2 ||
				sums[0] != "sha256=601fe559e0cab6131a45531fdbd955b8d8d42faa9dff1c145b56ea1cbe9b9b6e" {
				t.Errorf("URL() = %q, %v, %v", src, sums, ok)
			}
			if opam.HasExtension("x-opam-monorepo-duniverse-dirs") {
				t.Errorf("unexpected duniverse field")
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func TestParseSwitchForms(t *testing.T) {
	src := `opam-version: "2.0"
compiler: ["ocaml-base-compiler.4.14.2"]
roots: "a.1.0"
installed: ["a.1.0" "b.2.0~rc1" "ocaml-base-compiler.4.14.2"]
pinned: ["a.1.0" "b.2.0~rc1" {"git+https://example.org/b.git"}]
package "a" {
  opam-version: "2.0"
  depends: ["b" {>= "2.0"} & ("c" | "d" {with-test})]
  synopsis: "  A  "
}
package "b.2.0~rc1" {
  opam: """opam-version: "2.0"
synopsis: "B"
"""
}
extra-files "x" { }
`
	sw, err := ParseSwitch([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ roots, installed, pinned, compiler []Package }{
		[]Package{{"a", "1.0"}},
		[]Package{{"a", "1.0"}, {"b", "2.0~rc1"}, {"ocaml-base-compiler", "4.14.2"}},
		[]Package{{"a", "1.0"}, {"b", "2.0~rc1"}},
		[]Package{{"ocaml-base-compiler", "4.14.2"}},
	}
	got := struct{ roots, installed, pinned, compiler []Package }{sw.Roots, sw.Installed, sw.Pinned, sw.Compiler}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	a, _ := sw.Overlay("a")
	if got, want := a.Depends(), []string{"b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Depends() = %v, want %v", got, want)
	}
	if got := a.Synopsis(); got != "A" {
		t.Errorf("Synopsis() = %q, want trimmed %q", got, "A")
	}
	b, ok := sw.Overlay("b")
	if !ok || b.Synopsis() != "B" {
		t.Errorf("overlay b given as opam text: %v, synopsis %q", ok, b.Synopsis())
	}
}

func TestParseSwitchErrors(t *testing.T) {
	for name, src := range map[string]string{
		"syntax":             `installed: [`,
		"no version":         `installed: ["fmt"]`,
		"empty version":      `installed: ["fmt."]`,
		"not a string":       `roots: [fmt]`,
		"bad opam-version":   `opam-version: 2`,
		"nested list roots":  `roots: [["a.1"]]`,
		"empty package name": `installed: [".1"]`,
	} {
		t.Run(name, func(t *testing.T) {
			if sw, err := ParseSwitch([]byte(src)); err == nil {
				t.Errorf("ParseSwitch(%q) = %+v, want an error", src, sw)
			}
		})
	}
}

func TestRoot(t *testing.T) {
	for _, roots := range [][]Package{nil, {{"a", "1"}, {"b", "1"}}} {
		_, err := (&Switch{Roots: roots}).Root()
		if err == nil || err.Error() != "not a single root package found in opam switch export" {
			t.Errorf("Root() with roots %v: error %v", roots, err)
		}
	}
}

func TestParsePackage(t *testing.T) {
	tests := []struct {
		in   string
		want Package
		ok   bool
	}{
		{"fmt.0.9.0", Package{"fmt", "0.9.0"}, true},
		{"ocaml-config.2", Package{"ocaml-config", "2"}, true},
		{"a.b.c.d", Package{"a", "b.c.d"}, true},
		{"fmt", Package{}, false},
		{"fmt.", Package{}, false},
		{".1", Package{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePackage(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParsePackage(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tt.in)
		}
	}
}
