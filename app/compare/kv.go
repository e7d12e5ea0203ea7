package compare

import (
	"bytes"
	"slices"
	"strings"
)

// Entry is one key of a key/value file: an environment variable and its
// value, or a system package and its version.
type Entry struct {
	Name, Value string
}

// Change is a key present on both sides with different values.
type Change struct {
	Name, Left, Right string
}

// KVDiff compares two key/value files (reference §7.2, §7.3). Every list is
// sorted by key bytes.
type KVDiff struct {
	Added     []Entry // only in the right build
	Removed   []Entry // only in the left build
	Changed   []Change
	Unchanged []Entry // same value on both sides (but no blank line), for the "show everything" view
}

// ParseEnv reads a build-environment file as the reference does: split on
// "\n", each line cut at its first "="; a line without "=" is a key with an
// empty value, which includes the empty line after a trailing newline.
// Later duplicates win.
func ParseEnv(data []byte) map[string]string {
	return parseLines(data, func(line string) (string, string) {
		k, v, _ := strings.Cut(line, "=")
		return k, v
	})
}

// ParseSystemPackages reads a system-packages file: Debian's `name=version`
// (dpkg-query) or FreeBSD's `name-version` (pkg query). The FreeBSD form is
// split at the last "-" followed by a digit (product §2.10): names contain
// hyphens (py39-setuptools-63.1), versions do not (ports use "_" and ",").
// A line that fits neither is a name with an empty version.
func ParseSystemPackages(data []byte) map[string]string {
	return parseLines(data, SplitPackage)
}

// SplitPackage splits one line of a system-packages file into name and
// version; see ParseSystemPackages.
func SplitPackage(line string) (name, version string) {
	if k, v, ok := strings.Cut(line, "="); ok {
		return k, v
	}
	for i := len(line) - 2; i >= 0; i-- {
		if line[i] == '-' && line[i+1] >= '0' && line[i+1] <= '9' {
			return line[:i], line[i+1:]
		}
	}
	return line, ""
}

func parseLines(data []byte, split func(string) (string, string)) map[string]string {
	m := make(map[string]string, bytes.Count(data, []byte{'\n'})+1)
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v := split(line)
		m[k] = v
	}
	return m
}

// DiffKV compares two parsed key/value files.
func DiffKV(left, right map[string]string) KVDiff {
	var d KVDiff
	for k, lv := range left {
		rv, ok := right[k]
		switch {
		case !ok:
			d.Removed = append(d.Removed, Entry{k, lv})
		case lv != rv:
			d.Changed = append(d.Changed, Change{k, lv, rv})
		case k == "" && lv == "":
			// The blank line after a final newline is no variable or
			// package; listed as unchanged it would be an empty row.
		default:
			d.Unchanged = append(d.Unchanged, Entry{k, lv})
		}
	}
	for k, rv := range right {
		if _, ok := left[k]; !ok {
			d.Added = append(d.Added, Entry{k, rv})
		}
	}
	byName := func(a, b Entry) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(d.Added, byName)
	slices.SortFunc(d.Removed, byName)
	slices.SortFunc(d.Unchanged, byName)
	slices.SortFunc(d.Changed, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	return d
}

// Empty reports whether the two files hold the same keys and values.
func (d KVDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}
