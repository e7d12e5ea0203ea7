package viz

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/app/store"
)

// Versions lists the N ≥ 1 of the directories <kind>_<N> in cache, highest
// first; none when there is no cache at all. The highest version that has
// a file wins (reference §10).
func Versions(cache, kind string) ([]int, error) {
	entries, err := os.ReadDir(cache)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), kind+"_")
		if !ok || !(e.IsDir() || e.Type()&fs.ModeSymlink != 0) {
			continue
		}
		// Canonical decimal only: "dependencies_01" is not version 1.
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && strconv.Itoa(n) == v {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// Lookup returns the store-relative path of the cached visualization of
// the highest version that has a regular file for this hash (reference
// §10), or ok false. Only versions whose directory exists are tried, so an
// odd directory name cannot make this loop long.
func (c *Cache) Lookup(kind, hexHash string) (rel string, ok bool, err error) {
	rel, _, ok, err = c.lookup(kind, hexHash)
	return rel, ok, err
}

// lookup is Lookup that also returns the file's FileInfo.
func (c *Cache) lookup(kind, hexHash string) (string, fs.FileInfo, bool, error) {
	versions, err := Versions(filepath.Join(c.store.Dir(), store.CacheDir), kind)
	if err != nil {
		return "", nil, false, fmt.Errorf("visualization cache: %w", err)
	}
	for _, v := range versions {
		rel := Rel(kind, v, hexHash)
		fi, err := os.Stat(filepath.Join(c.store.Dir(), filepath.FromSlash(rel)))
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
			continue
		}
		if err != nil {
			return "", nil, false, fmt.Errorf("visualization cache: %w", err)
		}
		return rel, fi, true, nil
	}
	return "", nil, false, nil
}

// Cached reports whether some version of the visualization is cached.
func (c *Cache) Cached(kind, hexHash string) bool {
	_, ok, err := c.Lookup(kind, hexHash)
	return ok && err == nil
}

// PreviewDependencies says how the build page previews the dependency
// graph of this opam-switch: as it is cached, else as a picture when the
// switch parses and has a single root (so drawing it will succeed), else
// not at all.
func (c *Cache) PreviewDependencies(sha []byte, hexHash string) Preview {
	if p, ok := c.preview(KindDependencies, hexHash); ok {
		return p
	}
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return NoPreview
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil || len(data) > maxInput {
		return NoPreview
	}
	sw, err := opam.ParseSwitch(data)
	if err != nil {
		return NoPreview
	}
	if _, err = DependencyGraph(sw); err != nil {
		return NoPreview
	}
	return PreviewImage
}

// PreviewTreemap says how the build page previews the treemap of this
// binary: as it is cached, else as a picture when it is an ELF file with
// a symbol table (only the section headers are read), else not at all.
func (c *Cache) PreviewTreemap(sha []byte, hexHash string) Preview {
	if p, ok := c.preview(KindTreemap, hexHash); ok {
		return p
	}
	f, err := c.store.OpenArtifact(sha)
	if err != nil {
		return NoPreview
	}
	defer f.Close()
	e, err := elf.NewFile(f)
	if err != nil {
		return NoPreview
	}
	if s := e.Section(".symtab"); s != nil && s.Size > 0 && s.Type == elf.SHT_SYMTAB {
		return PreviewImage
	}
	return NoPreview
}
