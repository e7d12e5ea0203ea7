package viz

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/app/store"
)

// Kinds, the prefixes of the cache directories (reference §10).
const (
	KindDependencies = "dependencies"
	KindTreemap      = "treemap"
)

// DependenciesVersion is the V of _cache/dependencies_<V>/ that this
// generator writes. The reference's opam-graph wrote lower versions; the
// highest V present wins, so ours replace theirs where both exist. 3: the
// drawing is embedded in builder-web's own page (2 was a standalone page,
// now served like the reference's files until `builder-db viz` redraws).
const DependenciesVersion = 3

// maxInput bounds what a generator reads of an artifact: an opam-switch is
// tens of kilobytes, so anything past this is not one worth drawing.
const maxInput = 16 << 20

// ErrUnusable says the input cannot be drawn (not a switch export, no
// single root, too large): there is no visualization, which is not a
// server error.
var ErrUnusable = errors.New("input cannot be visualized")

// Cache generates visualizations into DATADIR/_cache. Generation on first
// request is bounded by a semaphore, so a burst of requests for uncached
// graphs cannot use more than Workers cores.
type Cache struct {
	store    *store.Store
	sem      chan struct{}
	mem      *memory
	switches *switches
}

// NewCache returns a cache over the store, generating at most workers at once.
func NewCache(st *store.Store, workers int) *Cache {
	return &Cache{store: st, sem: make(chan struct{}, max(workers, 1)), mem: &memory{limit: memoryLimit}, switches: &switches{}}
}

// Rel is the store-relative path of a visualization of version v.
func Rel(kind string, v int, hexHash string) string {
	return store.CacheDir + "/" + kind + "_" + strconv.Itoa(v) + "/" + hexHash + ".html"
}

// MakeDependencies renders the dependency graph of the opam-switch artifact
// with this hash and stores it atomically under its hash (identical inputs
// share one file). ErrUnusable when the artifact is not a drawable switch.
func (c *Cache) MakeDependencies(sha []byte, hexHash string) error {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return fmt.Errorf("dependency graph: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("dependency graph: read %s: %w", hexHash, err)
	}
	if len(data) > maxInput {
		return fmt.Errorf("%w: opam-switch larger than %d bytes", ErrUnusable, maxInput)
	}
	page, err := DependenciesPage(data)
	if err != nil {
		return err
	}
	return c.write(Rel(KindDependencies, DependenciesVersion, hexHash), page)
}

// TreemapVersion is the V of _cache/treemap_<V>/ that this generator
// writes (the reference's modulectomy wrote lower ones; 3 as for
// DependenciesVersion).
const TreemapVersion = 3

// MakeTreemap renders the size treemap of the ELF artifact with this hash
// (a debug binary, or a main binary with symbols) and stores it atomically
// under that hash. ErrUnusable when it is not an ELF file with symbols.
// The page names no file: builds whose binaries are identical share it.
func (c *Cache) MakeTreemap(sha []byte, hexHash, name string) error {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return fmt.Errorf("treemap: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("treemap: %w", err)
	}
	s, err := BinarySizes(f, fi.Size())
	if errors.Is(err, ErrNoSymbols) {
		return fmt.Errorf("%w: %s has no symbols", ErrUnusable, name)
	}
	if err != nil {
		return fmt.Errorf("treemap of %s: %w", name, err)
	}
	return c.write(Rel(KindTreemap, TreemapVersion, hexHash), TreemapHTML(s, "Sizes in the binary"))
}

// DependenciesPage is the graph page of an opam-switch export.
func DependenciesPage(data []byte) ([]byte, error) {
	sw, err := opam.ParseSwitch(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	g, err := DependencyGraph(sw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	root := g.Nodes[g.Root]
	return DependenciesHTML(g, "Dependencies of "+root.Name+"."+root.Version), nil
}

// write puts content at rel through a temporary file and a rename, so a
// reader sees the whole file or none, and concurrent writers of the same
// (deterministic) content cannot tear it.
func (c *Cache) write(rel string, content []byte) error {
	path := filepath.Join(c.store.Dir(), filepath.FromSlash(rel))
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("visualization cache: %w", err)
	}
	if err := store.WriteAtomic(path, content, 0o644, false); err != nil {
		return fmt.Errorf("visualization cache: %w", err)
	}
	return nil
}

// Sizes reads what the ELF artifact with this hash is made of (the input
// of the treemap), for comparing two binaries' sizes. ErrUnusable when it
// is no ELF file with symbols; reading is bounded like drawing.
func (c *Cache) Sizes(sha []byte) (*Sizes, error) {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return nil, fmt.Errorf("sizes: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sizes: %w", err)
	}
	s, err := BinarySizes(f, fi.Size())
	if err != nil {
		// Whatever makes the bytes unreadable as ELF with symbols is a
		// property of the upload, not a fault of the server.
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	return s, nil
}
