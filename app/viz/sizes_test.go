package viz

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ocamlELF compiles a C program whose globals carry OCaml-style names of
// known sizes, and returns the path of the unstripped binary.
func ocamlELF(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	code := `
const char camlMirage_crypto__Cipher_block__tbl_1[4096] = {1};
const char camlMirage_crypto__Cipher_block__enc_2[1000] = {1};
const char camlMirage_crypto__Hash__sha_3[2000] = {1};
char camlStdlib__List__x_4[300] = {1};
int camlFmt__pp_5(int x) { return x * 3 + 1; }
int main(int argc, char **argv) { return camlFmt__pp_5(argc) + camlMirage_crypto__Hash__sha_3[argc] + camlStdlib__List__x_4[0]; }
`
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "m")
	if out, err := exec.Command("gcc", "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

// nmSize is the size nm reports for a symbol: the test's own reading of
// the symbol table.
func nmSize(t *testing.T, bin, sym string) int64 {
	out, err := exec.Command("nm", "-S", "--defined-only", bin).Output()
	if err != nil {
		t.Skipf("nm: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && f[3] == sym {
			var n int64
			for _, c := range f[1] {
				n = n*16 + int64(strings.IndexRune("0123456789abcdef", c))
			}
			return n
		}
	}
	t.Fatalf("nm does not list %s", sym)
	return 0
}

func TestBinarySizes(t *testing.T) {
	bin := ocamlELF(t)
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	s, err := BinarySizes(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	find := func(as []Area, name string) *Area {
		for i := range as {
			if as[i].Name == name {
				return &as[i]
			}
		}
		return nil
	}
	module := func(lib, mod string) int64 {
		l := find(s.Areas, lib)
		if l == nil {
			t.Fatalf("no library %s in %+v", lib, s.Areas)
		}
		m := find(l.Children, mod)
		if m == nil {
			t.Fatalf("no module %s in %s: %+v", mod, lib, l.Children)
		}
		return m.Size
	}
	for _, tt := range []struct {
		lib, mod string
		want     int64
	}{
		{"mirage-crypto", "Cipher_block", 4096 + 1000},
		{"mirage-crypto", "Hash", 2000},
		{"stdlib", "List", 300},
		{"fmt", "Fmt", nmSize(t, bin, "camlFmt__pp_5")},
	} {
		if got := module(tt.lib, tt.mod); got != tt.want {
			t.Errorf("%s / %s = %d bytes, want %d", tt.lib, tt.mod, got, tt.want)
		}
	}
	var sum int64
	for _, a := range s.Areas {
		sum += a.Size
		if len(a.Children) > 0 {
			var c int64
			for _, m := range a.Children {
				c += m.Size
			}
			if c != a.Size {
				t.Errorf("%s: modules sum to %d, library is %d", a.Name, c, a.Size)
			}
		}
	}
	if sum != fi.Size() || s.FileSize != fi.Size() {
		t.Errorf("areas sum to %d (file size %d reported), the file has %d bytes", sum, s.FileSize, fi.Size())
	}
	if find(s.Areas, ".text") == nil || find(s.Areas, Unaccounted) == nil {
		t.Errorf("no .text or unaccounted area: %+v", s.Areas)
	}

	page := string(TreemapHTML(s, "Treemap of m"))
	for _, want := range []string{
		`<title>mirage-crypto&#10;`, `<title>mirage-crypto / Cipher_block&#10;5.0 KiB (5096 bytes)`,
		`<a href="?lib=mirage-crypto" hx-get="?lib=mirage-crypto" class="zoom">`, `<strong>mirage-crypto</strong>: 6.9 KiB`,
		"<tr><td>Cipher_block</td><td class=\"n\">5096</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Errorf("page has a script or a style attribute")
	}

	// builder-web's own page embeds the parts: the map, each library's
	// modules, the table.
	v := ours("", []byte(page))
	lib, ok := v.Library("mirage-crypto")
	if !ok || !strings.HasPrefix(string(lib), "<svg") || !strings.Contains(string(lib), "<title>Cipher_block&#10;5.0 KiB (5096 bytes)") {
		t.Errorf("Library(mirage-crypto) = %v, %.300s", ok, lib)
	}
	if _, ok := v.Library("fmt"); ok {
		t.Errorf("fmt (one module) has a treemap of its own")
	}
	if svg := string(v.SVG()); !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>") {
		t.Errorf("SVG() = %.200s…", svg)
	}
	if tbl := string(v.Table()); !strings.HasPrefix(tbl, "<table") || !strings.Contains(tbl, `<a href="?lib=mirage-crypto">mirage-crypto</a>`) {
		t.Errorf("Table() = %.300s…", tbl)
	}
}

// Labels are drawn only where they fit; every rectangle has a title.
func TestTreemapLabelsFit(t *testing.T) {
	s := &Sizes{FileSize: 1000, Areas: []Area{
		{Name: "a-library-with-a-very-long-name-indeed", Size: 5},
		{Name: "big", Size: 995},
	}}
	page := string(TreemapHTML(s, "t"))
	if strings.Contains(page, ">a-library-with-a-very-long-name-indeed</text>") {
		t.Errorf("the label of a 0.5%% sliver was drawn")
	}
	if !strings.Contains(page, "<title>a-library-with-a-very-long-name-indeed&#10;") || !strings.Contains(page, ">big</text>") {
		t.Errorf("titles or the big label missing:\n%s", page)
	}
}

func TestOCamlName(t *testing.T) {
	for sym, want := range map[string][2]string{
		"camlMirage_crypto__Cipher_block_123":        {"mirage-crypto", "Cipher_block"},
		"camlMirage_crypto__Cipher_block__encrypt_9": {"mirage-crypto", "Cipher_block"},
		"camlStdlib__List__map_12":                   {"stdlib", "List"},
		"camlFoo__bar_12":                            {"foo", "Foo"},
		"camlFoo":                                    {"foo", "Foo"},
		"camlFoo_12":                                 {"foo", "Foo"},
		"camlLib_7__Mod_3__v_5":                      {"lib-7", "Mod_3"},
		"camlMirage_crypto_ec__P256_1":               {"mirage-crypto-ec", "P256"},
		"caml_alloc":                                 {NonOCaml, "(other)"},
		"memcpy":                                     {NonOCaml, "(other)"},
	} {
		if lib, mod := OCamlName(sym); lib != want[0] || mod != want[1] {
			t.Errorf("OCamlName(%q) = %q, %q; want %q, %q", sym, lib, mod, want[0], want[1])
		}
	}
}
