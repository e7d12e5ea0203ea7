package viz

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// vectorSwitch returns the opam-switch file inside a shared upload vector.
func vectorSwitch(tb testing.TB, vector string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(testenv.Vector(tb, vector))
	if err != nil {
		tb.Fatal(err)
	}
	exec, err := builder.Decode(raw)
	if err != nil {
		tb.Fatalf("decode %s: %v", vector, err)
	}
	for _, f := range exec.Files {
		if f.Path == "opam-switch" {
			return f.Data
		}
	}
	tb.Fatalf("%s has no opam-switch file", vector)
	return nil
}

// The graph of each shared vector has one node per installed package and
// one edge per installed name in a package's `depends` (counted here with
// opam.File.Depends, the other reader of that field); the root is drawn in
// the centre, the build-only dependency dashed.
func TestDependencyGraphVectors(t *testing.T) {
	for _, vector := range []string{"success_hvt.full", "compare_left.full", "compare_right.full"} {
		t.Run(vector, func(t *testing.T) {
			data := vectorSwitch(t, vector)
			sw, err := opam.ParseSwitch(data)
			if err != nil {
				t.Fatal(err)
			}
			wantEdges := 0
			rdeps := map[string]int{}
			for _, p := range sw.Installed {
				f, _ := sw.Overlay(p.Name)
				for _, d := range f.Depends() {
					if sw.IsInstalled(d) {
						wantEdges++
						rdeps[d]++
					}
				}
			}
			page, err := DependenciesPage(data)
			if err != nil {
				t.Fatal(err)
			}
			s := string(page)
			if got := len(regexp.MustCompile(`<g id="p-[^"]+" class="n( root)?">`).FindAllString(s, -1)); got != len(sw.Installed) {
				t.Errorf("%d nodes drawn, want %d installed packages", got, len(sw.Installed))
			}
			if got := strings.Count(s, `<line data-from=`); got != wantEdges || wantEdges == 0 {
				t.Errorf("%d edges drawn, want %d", got, wantEdges)
			}
			if !strings.Contains(s, `<g id="p-mirage-unikernel-hello-hvt" class="n root"><title>mirage-unikernel-hello-hvt.dev`) ||
				!regexp.MustCompile(`id="p-mirage-unikernel-hello-hvt" class="n root">.*<circle cx="0.0" cy="0.0"`).MatchString(s) {
				t.Errorf("the root is not drawn in the centre:\n%s", s)
			}
			want := "<title>ocaml." + mustVersion(t, sw, "ocaml") + "&#10;" + strconv.Itoa(rdeps["ocaml"]) + " reverse dependencies"
			if !strings.Contains(s, want) {
				t.Errorf("no %q in the page", want)
			}
			if !strings.Contains(s, `<line data-from="mirage-unikernel-hello-hvt" data-to="dune" class="e b"`) {
				t.Errorf("the build dependency on dune is not marked")
			}
			// Each package links to its details, relative to the page.
			if !strings.Contains(s, `<a href="?package=ocaml" hx-get="?package=ocaml"><g id="p-ocaml" class="n">`) {
				t.Errorf("the ocaml node is no link to its details")
			}
			v := ours("", page)
			if got := v.Packages(); len(got) != len(sw.Installed) {
				t.Errorf("Packages() = %d names, want %d", len(got), len(sw.Installed))
			}
			marked := string(v.MarkedSVG(map[string]string{"ocaml": "sel", "dune": "nb hit"}, "ocaml"))
			if !strings.Contains(marked, `<g id="p-ocaml" class="n sel">`) || !strings.Contains(marked, `<g id="p-dune" class="n nb hit">`) ||
				strings.Count(marked, `class="n `) != 3 { // and the root
				t.Errorf("marks not applied as asked")
			}
			if got := strings.Count(marked, `class="e on"`) + strings.Count(marked, `class="e b on"`); got != rdeps["ocaml"]+len(mustDepends(t, sw, "ocaml")) {
				t.Errorf("%d edges of ocaml marked, want %d", got, rdeps["ocaml"]+len(mustDepends(t, sw, "ocaml")))
			}
			for _, bad := range []string{"<script", "style="} {
				if strings.Contains(s, bad) {
					t.Errorf("the page contains %q", bad)
				}
			}
		})
	}
}

// mustDepends are the installed packages name depends on.
func mustDepends(t *testing.T, sw *opam.Switch, name string) []string {
	f, _ := sw.Overlay(name)
	var out []string
	for _, d := range f.Depends() {
		if sw.IsInstalled(d) {
			out = append(out, d)
		}
	}
	return out
}

func mustVersion(t *testing.T, sw *opam.Switch, name string) string {
	v, ok := sw.InstalledVersion(name)
	if !ok {
		t.Fatalf("%s not installed", name)
	}
	return v
}

// Names come from uploads: every one is escaped in the page, and the page
// still finds and marks it.
func TestDependenciesHostileNames(t *testing.T) {
	bad := `<script>x"&'</script>`
	g := &Graph{Root: 0, Nodes: []Node{{Name: "root", Version: "1"}, {Name: bad, Version: `"><b>`, Level: 1}},
		Edges: []Edge{{From: 0, To: 1}}}
	g.Nodes[1].Rdeps = 1
	page := DependenciesHTML(g, "t")
	for _, raw := range []string{"<script>", `"><b>`} {
		if strings.Contains(string(page), raw) {
			t.Errorf("page contains %q unescaped", raw)
		}
	}
	v := ours("", page)
	if got := v.Packages(); len(got) != 2 || got[1] != bad {
		t.Errorf("Packages() = %q", got)
	}
	marked := string(v.MarkedSVG(map[string]string{bad: "sel"}, bad))
	if !strings.Contains(marked, `class="n sel"`) || !strings.Contains(marked, `class="e on"`) || strings.Contains(marked, "<script>") {
		t.Errorf("the hostile package is not marked, or leaks:\n%s", marked)
	}
	tm := TreemapHTML(&Sizes{FileSize: 10, Areas: []Area{{Name: bad, Size: 10, Children: []Area{{Name: bad, Size: 5}, {Name: "m", Size: 5}}}}}, "t")
	if strings.Contains(string(tm), "<script>") {
		t.Errorf("treemap contains the name unescaped")
	}
	if _, ok := ours("", tm).Library(bad); !ok {
		t.Errorf("the hostile library has no treemap of its own")
	}
}
