package viz

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/builder-web/builder-web/app/opam"
)

// maxOurs bounds a cached page of ours read into memory to embed it: the
// treemap of a 20,000-symbol binary is under a megabyte.
const maxOurs = 32 << 20

// memoryLimit bounds the cache files kept in memory (Cache.mem).
const memoryLimit = 64 << 20

// Cached is a visualization found in the cache.
type Cached struct {
	// Rel is the store-relative path of the file, served as it is when
	// the file is not ours.
	Rel string
	// Ours is set when builder-web wrote the file in the current format:
	// builder-web shows its parts in a page of its own. Files of the
	// reference's tools (any other version, or an unknown first line) are
	// served in a sandbox as they are.
	Ours bool
	// The parts of ours (see the markers in render.go and treemap.go).
	about, svg, table []byte
	libs              map[string][]byte // escaped library name → its treemap
	// points are where MarkedSVG may add classes: each node's and edge's
	// class attribute, in drawing order (found once, in ours).
	points []point
}

// point is the end of a graph node's or edge's class attribute.
type point struct {
	at       int    // offset in svg of the attribute's closing quote
	node     string // the node's package; "" for an edge
	from, to string // an edge's packages
}

// Load finds the cached visualization of the highest version (Lookup) and,
// when it is ours, reads it, or takes it from memory when the file is
// unchanged since (same size and modification time; files are replaced by
// rename, never written in place). ok is false when nothing is cached.
func (c *Cache) Load(kind, hexHash string) (v *Cached, ok bool, err error) {
	rel, fi, ok, err := c.lookup(kind, hexHash)
	if err != nil || !ok {
		return nil, ok, err
	}
	ver := version(kind)
	if rel != Rel(kind, ver, hexHash) || fi.Size() > maxOurs {
		return &Cached{Rel: rel}, true, nil
	}
	if v, ok := c.mem.get(rel, fi); ok {
		return v, true, nil
	}
	content, err := os.ReadFile(filepath.Join(c.store.Dir(), filepath.FromSlash(rel)))
	if err != nil {
		return nil, false, fmt.Errorf("visualization cache: read %s: %w", rel, err)
	}
	v = &Cached{Rel: rel}
	if bytes.HasPrefix(content, []byte(ourPrefix(kind, ver))) {
		v = ours(rel, content)
	}
	c.mem.put(rel, fi, v, int64(len(content)))
	return v, true, nil
}

// memory keeps recently served cache files of ours in memory, up to a
// number of bytes, so serving one costs a stat rather than a read.
type memory struct {
	mu    sync.Mutex
	limit int64
	used  int64
	files map[string]memFile
}

type memFile struct {
	size    int64
	modTime time.Time
	v       *Cached
}

func (m *memory) get(rel string, fi fs.FileInfo) (*Cached, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[rel]
	if !ok || f.size != fi.Size() || !f.modTime.Equal(fi.ModTime()) {
		return nil, false
	}
	return f.v, true
}

// put remembers v, first forgetting others (any: a map's order) until it
// fits under the limit.
func (m *memory) put(rel string, fi fs.FileInfo, v *Cached, size int64) {
	if size > m.limit {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string]memFile{}
	}
	if old, ok := m.files[rel]; ok {
		m.used -= old.size
		delete(m.files, rel)
	}
	for k, f := range m.files {
		if m.used+size <= m.limit {
			break
		}
		m.used -= f.size
		delete(m.files, k)
	}
	m.files[rel] = memFile{size: size, modTime: fi.ModTime(), v: v}
	m.used += size
}

// Preview says how the build page previews a visualization.
type Preview int

const (
	// NoPreview: nothing cached and nothing can be drawn.
	NoPreview Preview = iota
	// PreviewImage: ours (cached, or drawn on request): a picture.
	PreviewImage
	// PreviewFrame: a file of the reference's tools, shown as it is in a
	// sandboxed frame.
	PreviewFrame
)

// preview is the preview of a cached visualization, or NoPreview with ok
// false when nothing usable is cached.
func (c *Cache) preview(kind, hexHash string) (p Preview, ok bool) {
	v, ok, err := c.Load(kind, hexHash)
	switch {
	case err != nil || !ok:
		return NoPreview, false
	case v.Ours:
		return PreviewImage, true
	}
	return PreviewFrame, true
}

// part is what lies between begin and end in content, and what follows.
func part(content []byte, begin, end string) (p, rest []byte) {
	_, after, ok := bytes.Cut(content, []byte(begin))
	if !ok {
		return nil, content
	}
	p, rest, ok = bytes.Cut(after, []byte(end))
	if !ok {
		return nil, content
	}
	return p, rest
}

// ours makes a Cached of our page: its parts are found once, here, since
// the page is served many times from memory.
func ours(rel string, content []byte) *Cached {
	v := &Cached{Rel: rel, Ours: true}
	v.about, content = part(content, aboutBegin, aboutEnd)
	v.svg, content = part(content, svgBegin, svgEnd)
	v.points = points(v.svg)
	for {
		i := bytes.Index(content, []byte(libBegin))
		if i < 0 {
			break
		}
		content = content[i+len(libBegin):]
		name, rest, ok := bytes.Cut(content, []byte("-->"))
		if !ok {
			break
		}
		svg, rest, ok := bytes.Cut(rest, []byte(libEnd))
		if !ok {
			break
		}
		if v.libs == nil {
			v.libs = map[string][]byte{}
		}
		v.libs[string(name)] = svg
		content = rest
	}
	v.table, _ = part(content, tableBegin, tableEnd)
	return v
}

// About is the line that says what the visualization shows (escaped HTML).
func (v *Cached) About() []byte { return v.about }

// SVG is the drawing: the graph, or the treemap of all libraries.
func (v *Cached) SVG() []byte { return v.svg }

// Library is the treemap of one library's modules; ok false when the
// library has none of its own (unknown, or a single module).
func (v *Cached) Library(name string) ([]byte, bool) {
	p, ok := v.libs[html.EscapeString(name)]
	return p, ok
}

// Table is the table of all sizes of a treemap, largest first.
func (v *Cached) Table() []byte { return v.table }

// PreviewSVG is the drawing as a standalone SVG image for the build page's
// preview: the drawing with its style inside (an image loads no
// stylesheet).
func (v *Cached) PreviewSVG(kind string) []byte {
	svg := v.SVG()
	i := bytes.IndexByte(svg, '>')
	if i < 0 {
		return nil
	}
	style := GraphStyle
	if kind == KindTreemap {
		style = TreemapStyle
	}
	var b bytes.Buffer
	b.Grow(len(svg) + len(style) + 32)
	b.Write(svg[:i+1])
	b.WriteString("<style>")
	b.WriteString(style)
	b.WriteString("</style>")
	b.Write(svg[i+1:])
	return b.Bytes()
}

const (
	nodeOpen  = `<g id="p-`
	nodeClass = `" class="`
	edgeOpen  = `<line data-from="`
	edgeTo    = `" data-to="`
)

// points finds the class attributes of a graph's edges (drawn first) and
// nodes. Names are unescaped once here.
func points(svg []byte) []point {
	var out []point
	attrEnd := func(from int) int { // the closing quote of the class attribute at svg[from:]
		k := bytes.Index(svg[from:], []byte(nodeClass))
		if k < 0 {
			return -1
		}
		l := bytes.IndexByte(svg[from+k+len(nodeClass):], '"')
		if l < 0 {
			return -1
		}
		return from + k + len(nodeClass) + l
	}
	for off := 0; ; {
		i := bytes.Index(svg[off:], []byte(edgeOpen))
		if i < 0 {
			break
		}
		i += off + len(edgeOpen)
		j := bytes.Index(svg[i:], []byte(edgeTo))
		if j < 0 {
			break
		}
		from := svg[i : i+j]
		rest := i + j + len(edgeTo)
		q := bytes.IndexByte(svg[rest:], '"')
		end := attrEnd(rest)
		if q < 0 || end < 0 {
			break
		}
		out = append(out, point{at: end, from: html.UnescapeString(string(from)), to: html.UnescapeString(string(svg[rest : rest+q]))})
		off = end
	}
	for off := 0; ; {
		i := bytes.Index(svg[off:], []byte(nodeOpen))
		if i < 0 {
			break
		}
		i += off + len(nodeOpen)
		q := bytes.IndexByte(svg[i:], '"')
		end := attrEnd(i)
		if q < 0 || end < 0 {
			break
		}
		out = append(out, point{at: end, node: html.UnescapeString(string(svg[i : i+q]))})
		off = end
	}
	return out
}

// Packages lists the package names of a graph, in drawing order.
func (v *Cached) Packages() []string {
	var out []string
	for _, p := range v.points {
		if p.node != "" {
			out = append(out, p.node)
		}
	}
	return out
}

// MarkedSVG is the graph with classes added to some packages' nodes
// (marks maps a package name to its classes, e.g. "hit" for a filter
// match) and "on" to the edges from or to the package named sel (none
// when ""): one copy of the drawing, the places found when it was loaded.
func (v *Cached) MarkedSVG(marks map[string]string, sel string) []byte {
	if len(marks) == 0 && sel == "" {
		return v.svg
	}
	var b bytes.Buffer
	b.Grow(len(v.svg) + 8*len(marks) + 256)
	prev := 0
	for _, p := range v.points {
		var add string
		switch {
		case p.node != "":
			if m := marks[p.node]; m != "" {
				add = html.EscapeString(strings.Join(strings.Fields(m), " "))
			}
		case sel != "" && (p.from == sel || p.to == sel):
			add = "on"
		}
		if add == "" {
			continue
		}
		b.Write(v.svg[prev:p.at])
		b.WriteByte(' ')
		b.WriteString(add)
		prev = p.at
	}
	b.Write(v.svg[prev:])
	return b.Bytes()
}

// ErrNoPackage says the switch has no such package installed.
var ErrNoPackage = errors.New("no such package in the opam switch")

// PackageInfo is what the graph's side panel shows of one package.
type PackageInfo struct {
	Name, Version string
	// Opam is its opam file as the switch export embeds it; "" when the
	// export has none for it.
	Opam string
	// Depends are the installed packages it depends on (Build: only to
	// build it), Dependents those that depend on it; both sorted by name.
	Depends    []Dep
	Dependents []string
}

// Dep is a dependency of a package.
type Dep struct {
	Name  string
	Build bool
}

// Package reads the opam-switch artifact with this hash and returns one
// package's details. ErrNoPackage when it is not installed; ErrUnusable
// when the switch cannot be drawn.
func (c *Cache) Package(sha []byte, name string) (*PackageInfo, error) {
	sw, g, err := c.parsedSwitch(sha)
	if err != nil {
		return nil, err
	}
	n := -1
	for i, node := range g.Nodes {
		if node.Name == name {
			n = i
		}
	}
	if n < 0 {
		return nil, ErrNoPackage
	}
	p := &PackageInfo{Name: g.Nodes[n].Name, Version: g.Nodes[n].Version}
	if f, ok := sw.Overlay(name); ok {
		p.Opam = string(opam.Print(f))
	}
	for _, e := range g.Edges {
		switch {
		case e.From == n:
			p.Depends = append(p.Depends, Dep{Name: g.Nodes[e.To].Name, Build: e.Build})
		case e.To == n:
			p.Dependents = append(p.Dependents, g.Nodes[e.From].Name)
		}
	}
	sort.Slice(p.Depends, func(i, j int) bool { return p.Depends[i].Name < p.Depends[j].Name })
	sort.Strings(p.Dependents)
	return p, nil
}

// parsedSwitch reads and parses the opam-switch artifact with this hash,
// or takes it from the few kept in memory: clicking through a graph's
// packages asks for the same switch again and again.
func (c *Cache) parsedSwitch(sha []byte) (*opam.Switch, *Graph, error) {
	key := string(sha)
	c.switches.mu.Lock()
	p, ok := c.switches.m[key]
	c.switches.mu.Unlock()
	if ok {
		return p.sw, p.g, nil
	}
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return nil, nil, fmt.Errorf("opam-switch: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("opam-switch: %w", err)
	}
	if len(data) > maxInput {
		return nil, nil, fmt.Errorf("%w: opam-switch larger than %d bytes", ErrUnusable, maxInput)
	}
	sw, err := opam.ParseSwitch(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	g, err := DependencyGraph(sw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	c.switches.mu.Lock()
	defer c.switches.mu.Unlock()
	if c.switches.m == nil {
		c.switches.m = map[string]parsed{}
	}
	for k := range c.switches.m {
		if len(c.switches.m) < maxSwitches {
			break
		}
		delete(c.switches.m, k)
	}
	c.switches.m[key] = parsed{sw, g}
	return sw, g, nil
}

// maxSwitches is how many parsed switches Cache keeps (a few MiB each at
// most for 300 packages).
const maxSwitches = 8

// switches are the parsed opam switches the graph panels use.
type switches struct {
	mu sync.Mutex
	m  map[string]parsed
}

type parsed struct {
	sw *opam.Switch
	g  *Graph
}

// Matches are the packages whose name contains q, ignoring case, sorted.
func Matches(names []string, q string) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return nil
	}
	var out []string
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), q) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// OurVersion is the cache version builder-web writes for kind.
func OurVersion(kind string) int { return version(kind) }

// ErrNotOurs says a file in our version's directory was written by
// another tool; it is served as it is, sandboxed.
var ErrNotOurs = errors.New("not written by builder-web")

// Check reads the cache file at path, in the directory of our version of
// kind, and says whether it is a whole page of ours: ErrNotOurs for
// another tool's file, another error for one of ours that is cut short.
func Check(path, kind string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, maxOurs+1))
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(content, []byte(ourPrefix(kind, version(kind)))) {
		return ErrNotOurs
	}
	if len(content) > maxOurs {
		return fmt.Errorf("larger than %d bytes", maxOurs)
	}
	if v := ours("", content); v.svg == nil || !bytes.HasSuffix(content, []byte(pageEnd)) {
		return errors.New("incomplete: the drawing or the end of the page is missing")
	}
	return nil
}
