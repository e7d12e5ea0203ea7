package viz

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"net/url"
	"strconv"
)

type rect struct{ x, y, w, h float64 }

// squarify lays vals (largest first, summing to r's area) out in r with the
// squarified algorithm (Bruls, Huizing, van Wijk): rows along the shorter
// side, each grown while that keeps its worst aspect ratio improving.
func squarify(vals []float64, r rect) []rect {
	out := make([]rect, len(vals))
	for i := 0; i < len(vals); {
		short := math.Min(r.w, r.h)
		sum := vals[i]
		best := worst(vals[i:i+1], sum, short)
		j := i + 1
		for ; j < len(vals); j++ {
			w := worst(vals[i:j+1], sum+vals[j], short)
			if w > best {
				break
			}
			best, sum = w, sum+vals[j]
		}
		if r.w >= r.h {
			cw := 0.0
			if r.h > 0 {
				cw = sum / r.h
			}
			y := r.y
			for k := i; k < j; k++ {
				h := 0.0
				if cw > 0 {
					h = vals[k] / cw
				}
				out[k] = rect{r.x, y, cw, h}
				y += h
			}
			r.x, r.w = r.x+cw, math.Max(r.w-cw, 0)
		} else {
			rh := 0.0
			if r.w > 0 {
				rh = sum / r.w
			}
			x := r.x
			for k := i; k < j; k++ {
				w := 0.0
				if rh > 0 {
					w = vals[k] / rh
				}
				out[k] = rect{x, r.y, w, rh}
				x += w
			}
			r.y, r.h = r.y+rh, math.Max(r.h-rh, 0)
		}
		i = j
	}
	return out
}

// worst is the largest aspect ratio in a row of vals summing to sum laid
// along a side of length short.
func worst(row []float64, sum, short float64) float64 {
	if sum <= 0 || short <= 0 {
		return math.Inf(1)
	}
	s2, w2 := sum*sum, short*short
	res := 0.0
	for _, v := range row {
		if v <= 0 {
			continue
		}
		res = math.Max(res, math.Max(w2*v/s2, s2/(w2*v)))
	}
	return res
}

// layoutAreas scales areas to r and squarifies them.
func layoutAreas(as []Area, r rect) []rect {
	var total int64
	for _, a := range as {
		total += a.Size
	}
	vals := make([]float64, len(as))
	if total > 0 {
		for i, a := range as {
			vals[i] = float64(a.Size) / float64(total) * r.w * r.h
		}
	}
	return squarify(vals, r)
}

// hue gives each library a stable colour from its name.
func hue(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() % 360)
}

// HumanSize is a byte count for people: 1.2 MiB, 340 KiB, 12 B.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func percent(n, of int64) string {
	if of <= 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 1, 64) + "%"
}

const (
	mapW, mapH = 1000.0, 600.0
	charW      = 6.6 // width of a label character at 11px, for "does it fit"
)

// Markers of the treemap page's parts (see svgBegin): the library's own
// treemap follows libBegin+escaped name+"-->", the table of sizes lies
// between tableBegin and tableEnd.
const (
	libBegin   = "<!--bw:lib:"
	libEnd     = "<!--/bw:lib-->"
	tableBegin = "<!--bw:table-->"
	tableEnd   = "<!--/bw:table-->"
)

// TreemapHTML renders the sizes as a self-contained page: a squarified
// treemap of libraries (their modules inside), titles on every rectangle,
// labels where they fit; each library with modules has its own treemap
// (the zoom, `?lib=NAME`, relative to the treemap page so that builds with
// the same binary share the file), and a table of all sizes, largest
// first, for reading without pictures. builder-web embeds the parts in its
// own page; the whole file is readable where another tool serves it.
func TreemapHTML(s *Sizes, title string) []byte {
	esc := html.EscapeString
	var b bytes.Buffer
	b.WriteString(ourPrefix(KindTreemap, TreemapVersion))
	fmt.Fprintf(&b, `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>%s</style></head><body id="top">
<p>%s<strong>%s</strong>: %s. Each rectangle's area is its share of the file.%s</p>
`, esc(title), TreemapStyle, aboutBegin, esc(title), HumanSize(s.FileSize), aboutEnd)
	b.WriteString(svgBegin)
	b.WriteString(treemapSVG(s.Areas, s.FileSize, true, esc))
	b.WriteString(svgEnd)
	b.WriteString("\n")
	for _, a := range s.Areas {
		if !zoomable(a) {
			continue
		}
		fmt.Fprintf(&b, "<section><p><strong>%s</strong>: %s, %s of the file</p>\n%s%s-->", esc(a.Name), HumanSize(a.Size), percent(a.Size, s.FileSize), libBegin, esc(a.Name))
		b.WriteString(treemapSVG(a.Children, s.FileSize, false, esc))
		b.WriteString(libEnd)
		b.WriteString("</section>\n")
	}
	b.WriteString(tableBegin)
	b.WriteString("<table class=\"viz-sizes\"><thead><tr><th scope=\"col\">Library / module</th><th scope=\"col\">Bytes</th><th scope=\"col\">Share</th></tr></thead><tbody>\n")
	for _, a := range s.Areas {
		name := esc(a.Name)
		if zoomable(a) {
			name = fmt.Sprintf(`<a href="%s">%s</a>`, esc(libLink(a.Name)), name)
		}
		fmt.Fprintf(&b, "<tr class=\"lib\"><th scope=\"row\">%s</th><td class=\"n\">%d</td><td class=\"n\">%s</td></tr>\n", name, a.Size, percent(a.Size, s.FileSize))
		for _, m := range a.Children {
			fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%s</td></tr>\n", esc(m.Name), m.Size, percent(m.Size, s.FileSize))
		}
	}
	b.WriteString("</tbody></table>")
	b.WriteString(tableEnd)
	b.WriteString(pageEnd)
	return b.Bytes()
}

// zoomable reports whether a library has a treemap of its own: it has
// more than one module to show.
func zoomable(a Area) bool { return len(a.Children) >= 2 }

// libLink is the zoom into a library, relative to the treemap page.
func libLink(name string) string { return "?lib=" + url.QueryEscape(name) }

// TreemapStyle styles the treemap where our stylesheet does not reach (the
// self-contained page, the preview image); static/app.css has the same
// rules for the treemap inside builder-web's pages.
const TreemapStyle = `:root{color-scheme:light dark}
body{font:14px/1.4 system-ui,sans-serif;margin:0.5rem;background:#fff;color:#222}
svg{max-width:100%;height:auto;display:block;font:11px system-ui,sans-serif}
rect{stroke:#fff;stroke-width:1}
svg text{font-size:11px;fill:#111;pointer-events:none}
table{border-collapse:collapse}td,th{padding:0 .6em;text-align:left}td.n{text-align:right}
@media (prefers-color-scheme:dark){body{background:#15181c;color:#ddd}rect{stroke:#15181c}a{color:#8cf}}
`

// treemapSVG draws one level: areas, and when top is set their children
// inside them, each library with modules linking to its own treemap.
func treemapSVG(areas []Area, fileSize int64, top bool, esc func(string) string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="viz-treemap-svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f">
`, mapW, mapH, mapW, mapH)
	for i, r := range layoutAreas(areas, rect{0, 0, mapW, mapH}) {
		a := areas[i]
		zoom := top && zoomable(a)
		if zoom {
			link := esc(libLink(a.Name))
			fmt.Fprintf(&b, `<a href="%s" hx-get="%s" class="zoom">`, link, link)
		}
		light := 78
		if !top {
			light = 84
		}
		fmt.Fprintf(&b, `<g><title>%s&#10;%s (%d bytes), %s</title><rect class="lib" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="hsl(%d,55%%,%d%%)"/>`,
			esc(a.Name), HumanSize(a.Size), a.Size, percent(a.Size, fileSize), r.x, r.y, r.w, r.h, hue(a.Name), light)
		if top && len(a.Children) > 0 && r.w > 8 && r.h > 22 {
			inner := rect{r.x + 2, r.y + 16, r.w - 4, r.h - 18}
			for j, cr := range layoutAreas(a.Children, inner) {
				m := a.Children[j]
				fmt.Fprintf(&b, `<g><title>%s / %s&#10;%s (%d bytes), %s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="hsl(%d,55%%,86%%)"/>`,
					esc(a.Name), esc(m.Name), HumanSize(m.Size), m.Size, percent(m.Size, fileSize), cr.x, cr.y, cr.w, cr.h, hue(a.Name))
				b.WriteString(fitLabel(m.Name, cr, esc))
				b.WriteString("</g>")
			}
		}
		b.WriteString(fitLabel(a.Name, rect{r.x, r.y, r.w, math.Min(r.h, 16)}, esc))
		b.WriteString("</g>")
		if zoom {
			b.WriteString("</a>")
		}
		b.WriteString("\n")
	}
	b.WriteString("</svg>")
	return b.String()
}

// fitLabel writes name in the top left of r if it fits there.
func fitLabel(name string, r rect, esc func(string) string) string {
	if r.h < 13 || float64(len(name))*charW+6 > r.w {
		return ""
	}
	return fmt.Sprintf(`<text x="%.1f" y="%.1f">%s</text>`, r.x+3, r.y+12, esc(name))
}
