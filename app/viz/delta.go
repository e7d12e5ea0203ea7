package viz

import (
	"cmp"
	"slices"
)

// Delta is how much a library or module (Module empty for the library
// itself) grew (positive) or shrank between two binaries.
type Delta struct {
	Library, Module string
	Left, Right     int64
}

// Change is Right - Left in bytes.
func (d Delta) Change() int64 { return d.Right - d.Left }

// Percent is the change relative to Left; 100 for something new.
func (d Delta) Percent() float64 {
	if d.Left == 0 {
		return 100
	}
	return 100 * float64(d.Change()) / float64(d.Left)
}

// CompareSizes lists the libraries and modules whose size differs between
// two binaries (for the compare page, issue 13 point 3), largest change
// first; sections and unaccounted bytes are libraries too.
func CompareSizes(left, right *Sizes) []Delta {
	type key struct{ lib, mod string }
	sizes := map[key]*Delta{}
	add := func(s *Sizes, side func(*Delta) *int64) {
		for _, a := range s.Areas {
			k := key{a.Name, ""}
			if sizes[k] == nil {
				sizes[k] = &Delta{Library: a.Name}
			}
			*side(sizes[k]) += a.Size
			for _, m := range a.Children {
				k := key{a.Name, m.Name}
				if sizes[k] == nil {
					sizes[k] = &Delta{Library: a.Name, Module: m.Name}
				}
				*side(sizes[k]) += m.Size
			}
		}
	}
	add(left, func(d *Delta) *int64 { return &d.Left })
	add(right, func(d *Delta) *int64 { return &d.Right })
	var out []Delta
	for _, d := range sizes {
		if d.Change() != 0 {
			out = append(out, *d)
		}
	}
	abs := func(n int64) int64 { return max(n, -n) }
	slices.SortFunc(out, func(a, b Delta) int {
		return cmp.Or(cmp.Compare(abs(b.Change()), abs(a.Change())),
			cmp.Compare(a.Library, b.Library), cmp.Compare(a.Module, b.Module))
	})
	return out
}
