package opam

import (
	"bytes"
	"slices"
	"strings"
)

// SwitchDiff is the opam part of the compare page (reference §7.4). Every
// list is in ascending order; the reference shows only_in_left/right and
// the opam-file and duniverse content diffs in descending order (§15.20),
// which is for the page and JSON code to do.
type SwitchDiff struct {
	OnlyInLeft  []Package // installed on the left, no package of that name on the right
	OnlyInRight []Package
	VersionDiff []VersionChange // same name, different version, in left order
	OpamDiff    []FileDiff      // same name and version, opam files not effectively equal
	Duniverse   DuniverseDiff
}

// VersionChange is a package installed in different versions.
type VersionChange struct {
	Name, Left, Right string
}

// FileDiff is a package whose embedded opam files differ in a field
// that matters for the build.
type FileDiff struct {
	Package Package
	// EffectivelyEqual is always false for listed packages; the field
	// exists because the reference records it (and its page would append
	// " (effectively equal)").
	EffectivelyEqual bool
	Diff             string // unified diff of the canonical printed files
}

// Diff compares two switch exports. Unlike the reference it never fails:
// pinned and compiler packages are compared like any other (product §2.11),
// a missing overlay compares as an empty opam file, and duniverse problems
// are reported in Duniverse.Err.
func Diff(left, right *Switch) *SwitchDiff {
	l, r := sortedPackages(left.Installed), sortedPackages(right.Installed)
	// A valid switch has one version per name; a malformed export with
	// several must still not show a package as changed against itself.
	rightVersions, leftByName := map[string][]string{}, map[string]bool{}
	for _, p := range r {
		rightVersions[p.Name] = append(rightVersions[p.Name], p.Version)
	}
	for _, p := range l {
		leftByName[p.Name] = true
	}
	d := &SwitchDiff{Duniverse: diffDuniverse(left, right)}
	for _, p := range l {
		rvs := rightVersions[p.Name]
		switch {
		case len(rvs) == 0:
			d.OnlyInLeft = append(d.OnlyInLeft, p)
		case !slices.Contains(rvs, p.Version):
			d.VersionDiff = append(d.VersionDiff, VersionChange{Name: p.Name, Left: p.Version, Right: rvs[0]})
		default:
			lf, rf := overlayOrEmpty(left, p.Name), overlayOrEmpty(right, p.Name)
			if effectivelyEqual(lf, rf, p) {
				continue
			}
			d.OpamDiff = append(d.OpamDiff, FileDiff{
				Package: p,
				Diff:    UnifiedDiff("left/"+p.Name+"/opam", "right/"+p.Name+"/opam", Print(lf), Print(rf)),
			})
		}
	}
	for _, p := range r {
		if !leftByName[p.Name] {
			d.OnlyInRight = append(d.OnlyInRight, p)
		}
	}
	return d
}

func overlayOrEmpty(s *Switch, name string) *File {
	if f, ok := s.Overlay(name); ok {
		return f
	}
	return &File{}
}

// ComparePackages orders packages as opam does: by name ignoring case, then
// by name, then by version.
func ComparePackages(a, b Package) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

func sortedPackages(ps []Package) []Package {
	out := slices.Clone(ps)
	slices.SortFunc(out, ComparePackages)
	return out
}

// EffectivelyEqual reports whether two opam files describe the same build,
// following opam's OpamFile.OPAM.effectively_equal as reference §7.4 lists
// it: only the build-relevant fields count, and `url` counts by its first
// checksum (or, without checksums, its src).
func EffectivelyEqual(a, b *File) bool {
	return effectivelyEqual(a, b, Package{})
}

// effectivelyEqual fills a missing name or version from pkg: overlays
// usually carry the version but not the name, and the package they belong
// to says both.
func effectivelyEqual(a, b *File, pkg Package) bool {
	return bytes.Equal(Print(effective(a, pkg)), Print(effective(b, pkg)))
}

// effectiveFields are the fields opam compares; build-test is the old name
// of run-test and env of setenv.
var effectiveFields = map[string]string{
	"name": "name", "version": "version", "depends": "depends", "depopts": "depopts",
	"conflicts": "conflicts", "conflict-class": "conflict-class", "available": "available",
	"flags": "flags", "setenv": "setenv", "env": "setenv", "build": "build",
	"run-test": "run-test", "build-test": "run-test", "install": "install",
	"remove": "remove", "substs": "substs", "patches": "patches", "build-env": "build-env",
	"features": "features", "extra-files": "extra-files", "build-doc": "build-doc",
}

// effective reduces f to what effective equality looks at, normalised so
// that spellings opam treats alike print alike.
func effective(f *File, pkg Package) *File {
	out := &File{}
	has := map[string]bool{}
	for _, it := range f.Items {
		switch it := it.(type) {
		case *Field:
			name, ok := effectiveFields[it.Name]
			if !ok {
				continue
			}
			v := normalize(it.Value)
			if l, ok := v.(List); ok && len(l) == 0 || name == "available" && v == Bool(true) {
				continue // the defaults
			}
			has[name] = true
			out.Items = append(out.Items, &Field{Name: name, Value: v})
		case *Section:
			switch it.Kind {
			case "url":
				if u, ok := effectiveURL(it.Items); ok {
					out.Items = append(out.Items, &Field{Name: "url", Value: String(u)})
				}
			case "extra-source":
				label := ""
				if it.Label != nil {
					label = *it.Label
				}
				u, _ := effectiveURL(it.Items)
				out.Items = append(out.Items, &Field{Name: "extra-source", Value: List{String(label), String(u)}})
			}
		}
	}
	if !has["name"] && pkg.Name != "" {
		out.Items = append(out.Items, &Field{Name: "name", Value: String(pkg.Name)})
	}
	if !has["version"] && pkg.Version != "" {
		out.Items = append(out.Items, &Field{Name: "version", Value: String(pkg.Version)})
	}
	return out
}

func effectiveURL(items []Item) (string, bool) {
	src, sums, ok := (&File{Items: []Item{&Section{Kind: "url", Items: items}}}).URL()
	if len(sums) > 0 {
		return sums[0], true
	}
	return src, ok
}

// normalize drops the brackets of one-element lists, which opam's printer
// leaves out too (`build: [["true"]]` is written `build: "true"`).
func normalize(v Value) Value {
	switch v := v.(type) {
	case List:
		out := make(List, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	case Group:
		out := make(Group, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	case *Option:
		filter := make([]Value, len(v.Filter))
		for i, e := range v.Filter {
			filter[i] = normalize(e)
		}
		return &Option{Value: normalize(v.Value), Filter: filter}
	case *Logop:
		return &Logop{Op: v.Op, Left: normalize(v.Left), Right: normalize(v.Right)}
	case *Not:
		return &Not{Value: normalize(v.Value)}
	case *Defined:
		return &Defined{Value: normalize(v.Value)}
	}
	return v
}
