package viz

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"net/url"
	"sort"
	"strconv"
)

// Layout constants, in SVG user units (pixels at zoom 1).
const (
	ringGap    = 150.0 // between rings
	nodeArc    = 16.0  // at least this much ring per node, so labels do not overlap
	labelSpace = 170.0 // beyond the outer ring, for its labels
)

// layout places the graph radially: the root in the centre, its direct
// dependencies on the first ring, theirs on the next, packages the root does
// not reach on the outermost. Each ring is ordered by the mean angle of a
// node's dependents on the ring inside, so edges run outward rather than
// across the drawing; a ring grows with its node count so hundreds of
// packages stay legible. It returns the drawing's radius.
func (g *Graph) layout() float64 {
	maxLevel := 0
	for _, n := range g.Nodes {
		maxLevel = max(maxLevel, n.Level)
	}
	rings := make([][]int, maxLevel+2)
	for i, n := range g.Nodes {
		l := n.Level
		if l < 0 {
			l = maxLevel + 1
		}
		rings[l] = append(rings[l], i)
	}
	angle := make([]float64, len(g.Nodes))
	placed := make([]bool, len(g.Nodes))
	parents := make([][]int, len(g.Nodes))
	for _, e := range g.Edges {
		parents[e.To] = append(parents[e.To], e.From)
	}
	radius := 0.0
	g.Nodes[g.Root].X, g.Nodes[g.Root].Y = 0, 0
	placed[g.Root] = true
	for l := 1; l < len(rings); l++ {
		ring := rings[l]
		if len(ring) == 0 {
			continue
		}
		key := make(map[int]float64, len(ring))
		for _, n := range ring {
			sx, sy, k := 0.0, 0.0, 0
			for _, p := range parents[n] {
				if placed[p] && p != g.Root {
					sx += math.Cos(angle[p])
					sy += math.Sin(angle[p])
					k++
				}
			}
			if k > 0 {
				key[n] = math.Atan2(sy, sx)
			} else {
				key[n] = math.Inf(-1)
			}
		}
		sort.SliceStable(ring, func(i, j int) bool {
			a, b := ring[i], ring[j]
			if key[a] != key[b] {
				return key[a] < key[b]
			}
			return g.Nodes[a].Name < g.Nodes[b].Name
		})
		radius = max(radius+ringGap, float64(len(ring))*nodeArc/(2*math.Pi))
		for i, n := range ring {
			a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(len(ring))
			if len(ring) == 1 {
				a = -math.Pi / 2
			}
			angle[n] = a
			g.Nodes[n].X = radius * math.Cos(a)
			g.Nodes[n].Y = radius * math.Sin(a)
		}
		for _, n := range ring {
			placed[n] = true
		}
	}
	return radius
}

// shade is the fill of a node with rdeps reverse dependencies: the more
// packages depend on it, the darker.
func shade(rdeps, maxRdeps int) string {
	t := 0.0
	if maxRdeps > 0 {
		t = float64(rdeps) / float64(maxRdeps)
	}
	return fmt.Sprintf("hsl(210,65%%,%d%%)", int(88-50*t))
}

// Markers of the parts of our cached pages. The builder-web pages embed
// what lies between them (app/viz.Cached); names inside are HTML-escaped,
// so no name can contain "<!--" and end a part early.
const (
	svgBegin   = "<!--bw:svg-->"
	svgEnd     = "<!--/bw:svg-->"
	aboutBegin = "<!--bw:about-->"
	aboutEnd   = "<!--/bw:about-->"
	// pageEnd ends every page of ours: a file without it was cut short.
	pageEnd = "\n</body></html>\n"
)

// ourPrefix is how every cached page of ours begins: what tells ours from
// the files the reference's tools wrote (which are served sandboxed, as they
// are).
func ourPrefix(kind string, v int) string {
	return "<!DOCTYPE html>\n<!-- builder-web " + kind + " " + strconv.Itoa(v) + " -->\n"
}

// DependenciesHTML renders the graph as a self-contained HTML page with an
// inline SVG: no script, no external resource, readable when a tool other
// than builder-web serves it. builder-web itself embeds only the SVG in its
// own page (the part between svgBegin and svgEnd). Every package is a link
// to its details (`?package=NAME`, relative to the graph page, so the file
// is shared by every build with this opam-switch); with htmx the details
// load into the side panel. title is the page heading.
func DependenciesHTML(g *Graph, title string) []byte {
	radius := g.layout()
	half := radius + labelSpace
	maxRdeps := 0
	for _, n := range g.Nodes {
		maxRdeps = max(maxRdeps, n.Rdeps)
	}
	esc := html.EscapeString
	var b bytes.Buffer
	b.WriteString(ourPrefix(KindDependencies, DependenciesVersion))
	fmt.Fprintf(&b, `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>%s</style></head><body>
<p>%s<strong>%s</strong>: %d packages, %d dependencies (dashed: build only). Darker packages have more reverse dependencies; hover a package for its details.%s</p>
`, esc(title), GraphStyle, aboutBegin, esc(title), len(g.Nodes), len(g.Edges), aboutEnd)
	b.WriteString(svgBegin)
	size := "few"
	if len(g.Edges) > manyEdges {
		size = "many" // fainter edges (static/app.css)
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="viz-graph-svg %s" viewBox="%.0f %.0f %.0f %.0f" width="%.0f" height="%.0f" role="figure" aria-label="%s">
<g class="edges">
`, size, -half, -half, 2*half, 2*half, 2*half, 2*half, esc(title))
	for _, e := range g.Edges {
		from, to := g.Nodes[e.From], g.Nodes[e.To]
		class := "e"
		if e.Build {
			class = "e b"
		}
		fmt.Fprintf(&b, `<line data-from="%s" data-to="%s" class="%s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>%s → %s</title></line>
`, esc(from.Name), esc(to.Name), class, from.X, from.Y, to.X, to.Y, esc(from.Name), esc(to.Name))
	}
	b.WriteString("</g>\n<g class=\"nodes\">\n")
	for i, n := range g.Nodes {
		class := "n"
		if i == g.Root {
			class = "n root"
		}
		deps := g.Depends(i)
		link := esc("?package=" + url.QueryEscape(n.Name))
		fmt.Fprintf(&b, `<a href="%s" hx-get="%s"><g id="p-%s" class="%s"><title>%s.%s&#10;%d reverse dependencies, %d dependencies</title>`,
			link, link, esc(n.Name), class, esc(n.Name), esc(n.Version), n.Rdeps, len(deps))
		r := 5.0 + math.Min(float64(n.Rdeps), 20)/2
		if i == g.Root {
			r = 12
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`, n.X, n.Y, r, shade(n.Rdeps, maxRdeps))
		b.WriteString(label(n, r, i == g.Root, esc))
		b.WriteString("</g></a>\n")
	}
	b.WriteString("</g>\n</svg>")
	b.WriteString(svgEnd)
	b.WriteString(pageEnd)
	return b.Bytes()
}

// manyEdges is where a graph's edges start to be drawn fainter.
const manyEdges = 300

// GraphStyle styles the graph's SVG where our stylesheet does not reach:
// the self-contained page and the preview image. static/app.css holds the
// same rules for the graph embedded in builder-web's pages.
const GraphStyle = `:root{color-scheme:light dark}
body{font:14px/1.4 system-ui,sans-serif;margin:0.5rem;background:#fff;color:#222}
svg{max-width:100%;height:auto;display:block;font:11px system-ui,sans-serif}
.e{stroke:#8899aa;stroke-opacity:.45;fill:none}
.e.b{stroke-dasharray:4 3}
.many .e{stroke-opacity:.15}
.n circle{stroke:#335}
.n text{font-size:11px;fill:#222}
.root circle{stroke:#d60;stroke-width:3}
@media (prefers-color-scheme:dark){body{background:#15181c;color:#ddd}.e{stroke:#7a8a9a}.n circle{stroke:#9ab}.n text{fill:#ddd}}
`

// label writes a node's name radially outward from the centre, turned so
// it never reads upside down.
func label(n Node, r float64, root bool, esc func(string) string) string {
	if root {
		return fmt.Sprintf(`<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">%s</text>`, n.X, n.Y-r-6, esc(n.Name))
	}
	a := math.Atan2(n.Y, n.X)
	deg := a * 180 / math.Pi
	x := n.X + (r+4)*math.Cos(a)
	y := n.Y + (r+4)*math.Sin(a)
	anchor := "start"
	if deg > 90 || deg < -90 {
		deg += 180
		anchor = "end"
	}
	return fmt.Sprintf(`<text x="%.1f" y="%.1f" dy="0.35em" text-anchor="%s" transform="rotate(%.1f %.1f %.1f)">%s</text>`,
		x, y, anchor, deg, x, y, esc(n.Name))
}
