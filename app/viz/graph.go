// Package viz makes the two visualizations of a build (issue 13, reference
// §10) natively: the opam dependency graph of its opam-switch and (later)
// the size treemap of its main binary, as self-contained HTML pages with
// inline SVG, cached under _cache/<kind>_<V>/<hash>.html.
package viz

import (
	"fmt"
	"sort"

	"github.com/builder-web/builder-web/app/opam"
)

// Node is one installed package of the switch.
type Node struct {
	Name, Version string
	// Level is the distance from the root; -1 for packages the root does
	// not reach (they are drawn on the outermost ring).
	Level int
	// Rdeps is the number of packages that depend on this one.
	Rdeps int
	// X, Y is the centre of the node, set by the layout.
	X, Y float64
}

// Edge is "From depends on To"; Build marks a `{build}` dependency.
type Edge struct {
	From, To int
	Build    bool
}

// Graph is the dependency graph of a switch: the installed packages and
// their `depends` among installed packages.
type Graph struct {
	Nodes []Node
	Edges []Edge
	Root  int
}

// DependencyGraph builds the graph of a switch export from each installed
// package's `depends` (its embedded opam file). Dependencies that are not
// installed (alternatives not taken, optional ones) are not edges.
func DependencyGraph(sw *opam.Switch) (*Graph, error) {
	root, err := sw.Root()
	if err != nil {
		return nil, err
	}
	g := &Graph{Root: -1}
	index := map[string]int{}
	for _, p := range sw.Installed {
		if _, dup := index[p.Name]; dup {
			continue
		}
		index[p.Name] = len(g.Nodes)
		g.Nodes = append(g.Nodes, Node{Name: p.Name, Version: p.Version, Level: -1})
	}
	r, ok := index[root.Name]
	if !ok {
		return nil, fmt.Errorf("root package %s is not installed", root.Name)
	}
	g.Root = r
	for from, n := range g.Nodes {
		f, ok := sw.Overlay(n.Name)
		if !ok {
			continue
		}
		v, ok := f.Field("depends")
		if !ok {
			continue
		}
		for _, d := range depends(v) {
			to, ok := index[d.name]
			if !ok || to == from {
				continue
			}
			g.Edges = append(g.Edges, Edge{From: from, To: to, Build: d.build})
			g.Nodes[to].Rdeps++
		}
	}
	g.levels()
	return g, nil
}

// levels sets each node's Level by breadth-first search from the root.
func (g *Graph) levels() {
	out := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		out[e.From] = append(out[e.From], e.To)
	}
	g.Nodes[g.Root].Level = 0
	queue := []int{g.Root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range out[n] {
			if g.Nodes[m].Level < 0 {
				g.Nodes[m].Level = g.Nodes[n].Level + 1
				queue = append(queue, m)
			}
		}
	}
}

// Depends returns the indices of the packages n depends on, sorted by name.
func (g *Graph) Depends(n int) []int {
	var out []int
	for _, e := range g.Edges {
		if e.From == n {
			out = append(out, e.To)
		}
	}
	sort.Slice(out, func(i, j int) bool { return g.Nodes[out[i]].Name < g.Nodes[out[j]].Name })
	return out
}

type dep struct {
	name  string
	build bool
}

// depends lists the package names of a `depends` formula, each once, with
// whether it is a build dependency: its option filter names the `build`
// variable (`"dune" {build}`, `"dune" {build & >= "3.0"}`). Strings in
// filters are versions, not names (opam.File.Depends reads names alike).
func depends(v opam.Value) []dep {
	var out []dep
	seen := map[string]int{}
	var walk func(v opam.Value, build bool)
	walk = func(v opam.Value, build bool) {
		switch v := v.(type) {
		case opam.String:
			if i, ok := seen[string(v)]; ok {
				// A run-time mention wins over a build-only one.
				out[i].build = out[i].build && build
				return
			}
			seen[string(v)] = len(out)
			out = append(out, dep{name: string(v), build: build})
		case opam.List:
			for _, e := range v {
				walk(e, build)
			}
		case opam.Group:
			for _, e := range v {
				walk(e, build)
			}
		case *opam.Logop:
			walk(v.Left, build)
			walk(v.Right, build)
		case *opam.Option:
			walk(v.Value, build || filterNamesBuild(v.Filter))
		}
	}
	walk(v, false)
	return out
}

// filterNamesBuild reports whether a filter mentions the `build` variable.
func filterNamesBuild(vs []opam.Value) bool {
	for _, v := range vs {
		switch v := v.(type) {
		case opam.Ident:
			if v == "build" {
				return true
			}
		case *opam.Logop:
			if filterNamesBuild([]opam.Value{v.Left, v.Right}) {
				return true
			}
		case opam.Group:
			if filterNamesBuild(v) {
				return true
			}
		}
	}
	return false
}
