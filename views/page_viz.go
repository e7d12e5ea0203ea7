package views

import (
	"html/template"
	"time"
)

// VizBuild is the build a visualization page belongs to.
type VizBuild struct {
	Job      string
	Start    time.Time
	BuildURL string
	// URL is the visualization page itself, without query.
	URL string
}

// VizGraphPage is the Body of the "viz_dependencies" page: the opam
// dependency graph of a build, a filter and a side panel with one package.
// htmx swaps "viz_panel" (a package clicked) and "viz_figure" (the filter).
type VizGraphPage struct {
	VizBuild
	// About says what the graph shows; SVG is the drawing with the
	// matching and selected packages marked. Both come from the cache
	// file builder-web wrote from escaped names.
	About template.HTML
	SVG   template.HTML
	// Query is the filter, Matches the packages whose name contains it.
	Query   string
	Matches []VizLink
	// Package is the selected package (nil: none).
	Package *VizPackage
	// Packages counts the graph's packages; many start at actual size.
	Packages int
}

// VizLink is a package of the graph and the URL that selects it.
type VizLink struct {
	Name  string
	URL   string
	Build bool // a build-only dependency
}

// VizPackage is the side panel: one package of the switch.
type VizPackage struct {
	Name, Version string
	Opam          string
	Depends       []VizLink
	Dependents    []VizLink
	// Query is the filter in force, kept by the filter form's hidden
	// field (it sits in the panel so that a swapped panel updates it).
	Query string
}

// VizTreemapPage is the Body of the "viz_treemap" page: the size treemap of
// a build's binary, or (Library set) of one library's modules, and the
// table of all sizes. htmx swaps "viz_map" when a library is clicked.
type VizTreemapPage struct {
	VizBuild
	About   template.HTML
	Library string
	SVG     template.HTML
	Table   template.HTML
}

// TrustedHTML marks markup builder-web wrote itself from escaped data (the
// visualization cache files of ours) as safe to embed.
func TrustedHTML(b []byte) template.HTML { return template.HTML(b) }
