package opam

import (
	"errors"
	"fmt"
	"strings"
)

// Package is an opam package name and version.
type Package struct {
	Name, Version string
}

// String is opam's `name.version` form.
func (p Package) String() string { return p.Name + "." + p.Version }

// ParsePackage splits "name.version" at the first dot: opam package names
// cannot contain dots, versions can.
func ParsePackage(s string) (Package, error) {
	name, version, ok := strings.Cut(s, ".")
	if !ok || name == "" || version == "" {
		return Package{}, fmt.Errorf("invalid package %q, expected name.version", s)
	}
	return Package{Name: name, Version: version}, nil
}

// Switch is an `opam switch export` file (`--full` adds the package overlays).
type Switch struct {
	OpamVersion string
	Roots       []Package
	Installed   []Package
	Pinned      []Package
	Compiler    []Package
	// Overlays maps a package name to the opam file embedded for it.
	Overlays map[string]*File
}

// ErrNoSingleRoot is the error of Root; its text is the one builder-web shows.
var ErrNoSingleRoot = errors.New("not a single root package found in opam switch export")

// ParseSwitch reads a switch export. Unknown fields and sections are
// ignored; package lists may be written as one string or a list of strings,
// each optionally with an `{ option }` (old pinned entries carry one).
func ParseSwitch(data []byte) (*Switch, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	sw := &Switch{Overlays: map[string]*File{}}
	for _, it := range f.Items {
		switch it := it.(type) {
		case *Field:
			var dst *[]Package
			switch it.Name {
			case "opam-version":
				s, ok := it.Value.(String)
				if !ok {
					return nil, fmt.Errorf("opam-version: expected a string")
				}
				sw.OpamVersion = string(s)
			case "roots":
				dst = &sw.Roots
			case "installed":
				dst = &sw.Installed
			case "pinned":
				dst = &sw.Pinned
			case "compiler":
				dst = &sw.Compiler
			}
			if dst != nil {
				pkgs, err := packageList(it.Value)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", it.Name, err)
				}
				*dst = pkgs
			}
		case *Section:
			if it.Kind != "package" || it.Label == nil {
				continue
			}
			// A label may carry the version too; the name is all before the dot.
			name, _, _ := strings.Cut(*it.Label, ".")
			sw.Overlays[name] = overlayFile(it.Items)
		}
	}
	return sw, nil
}

// overlayFile is the opam file of a `package` section: normally the
// section's own fields; a section holding just `opam: "<file text>"` is
// tolerated too, its text parsed as the opam file.
func overlayFile(items []Item) *File {
	if len(items) == 1 {
		if fl, ok := items[0].(*Field); ok && fl.Name == "opam" {
			if s, ok := fl.Value.(String); ok {
				if f, err := Parse([]byte(s)); err == nil {
					return f
				}
			}
		}
	}
	return &File{Items: items}
}

func packageList(v Value) ([]Package, error) {
	var vs []Value
	if l, ok := v.(List); ok {
		vs = l
	} else {
		vs = []Value{v}
	}
	out := make([]Package, 0, len(vs))
	for _, e := range vs {
		if o, ok := e.(*Option); ok {
			e = o.Value
		}
		s, ok := e.(String)
		if !ok {
			return nil, fmt.Errorf("expected a package string, got %s", PrintValue(e))
		}
		p, err := ParsePackage(string(s))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Root returns the single root package, or ErrNoSingleRoot.
func (s *Switch) Root() (Package, error) {
	if len(s.Roots) != 1 {
		return Package{}, ErrNoSingleRoot
	}
	return s.Roots[0], nil
}

// IsInstalled reports whether a package of this name is installed.
func (s *Switch) IsInstalled(name string) bool {
	_, ok := s.InstalledVersion(name)
	return ok
}

// InstalledVersion returns the installed version of the named package.
func (s *Switch) InstalledVersion(name string) (string, bool) {
	for _, p := range s.Installed {
		if p.Name == name {
			return p.Version, true
		}
	}
	return "", false
}

// Overlay returns the opam file embedded for the named package.
func (s *Switch) Overlay(name string) (*File, bool) {
	f, ok := s.Overlays[name]
	return f, ok
}
