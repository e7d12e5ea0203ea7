package opam

import (
	"errors"
	"slices"
	"strings"
)

// DuniverseField lists the sources opam-monorepo vendored into a
// MirageOS 4 unikernel: `[ "URL" "DIR" [ "kind=hash" ... ] ]` or, for git
// sources without hashes, `[ "URL" "DIR" ]`.
const DuniverseField = "x-opam-monorepo-duniverse-dirs"

// DuniverseDiff compares the vendored directories of the two root packages.
// When Err is set (reference §15.9) the lists are empty.
type DuniverseDiff struct {
	Left    []DuniverseDir // directories only on the left, ascending
	Right   []DuniverseDir // directories only on the right, ascending
	Changed []DuniverseChange
	Err     string
}

// DuniverseDir is a vendored directory and where it came from.
type DuniverseDir struct {
	Dir, URL string
}

// DuniverseChange is a directory present on both sides with other content.
// The page shows `->URLRight` only when it differs from URLLeft.
type DuniverseChange struct {
	Dir               string
	URLLeft, URLRight string
	Hashes            []HashChange // only the kinds that differ or are missing on one side
}

// HashChange is one hash kind (md5, sha256, sha512) with each side's value,
// nil where that side has none.
type HashChange struct {
	Kind        string
	Left, Right *string
}

type duniverseSource struct {
	url    string
	hashes []opamHash
}

type opamHash struct{ kind, value string }

var hashKinds = []struct {
	kind string
	len  int
}{{"md5", 32}, {"sha256", 64}, {"sha512", 128}}

func diffDuniverse(left, right *Switch) DuniverseDiff {
	l, err := duniverse(left)
	if err != nil {
		return DuniverseDiff{Err: err.Error()}
	}
	r, err := duniverse(right)
	if err != nil {
		return DuniverseDiff{Err: err.Error()}
	}
	var d DuniverseDiff
	for _, dir := range sortedKeys(l) {
		ls := l[dir]
		rs, ok := r[dir]
		if !ok {
			d.Left = append(d.Left, DuniverseDir{Dir: dir, URL: ls.url})
			continue
		}
		if len(ls.hashes) > 0 && len(rs.hashes) > 0 && sameHashes(ls.hashes, rs.hashes) ||
			len(ls.hashes) == 0 && len(rs.hashes) == 0 && ls.url == rs.url {
			continue
		}
		d.Changed = append(d.Changed, DuniverseChange{
			Dir: dir, URLLeft: ls.url, URLRight: rs.url, Hashes: hashChanges(ls.hashes, rs.hashes),
		})
	}
	for _, dir := range sortedKeys(r) {
		if _, ok := l[dir]; !ok {
			d.Right = append(d.Right, DuniverseDir{Dir: dir, URL: r[dir].url})
		}
	}
	return d
}

func sortedKeys(m map[string]duniverseSource) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lookup is the first value of this kind, as OCaml's List.assoc_opt finds it.
func lookup(hs []opamHash, kind string) (string, bool) {
	for _, h := range hs {
		if h.kind == kind {
			return h.value, true
		}
	}
	return "", false
}

func sameHashes(a, b []opamHash) bool {
	covered := func(x, y []opamHash) bool {
		for _, h := range x {
			if v, ok := lookup(y, h.kind); !ok || v != h.value {
				return false
			}
		}
		return true
	}
	return covered(a, b) && covered(b, a)
}

func hashChanges(l, r []opamHash) []HashChange {
	var out []HashChange
	for _, k := range hashKinds {
		lv, lok := lookup(l, k.kind)
		rv, rok := lookup(r, k.kind)
		if lok == rok && lv == rv {
			continue
		}
		c := HashChange{Kind: k.kind}
		if lok {
			c.Left = &lv
		}
		if rok {
			c.Right = &rv
		}
		out = append(out, c)
	}
	return out
}

// duniverse reads the root package's duniverse field. The error texts are
// those of the reference, as the page shows them.
func duniverse(s *Switch) (map[string]duniverseSource, error) {
	root, err := s.Root()
	if err != nil {
		return nil, err
	}
	opam, ok := s.Overlay(root.Name)
	if !ok {
		return nil, errors.New("opam switch export doesn't contain the main package")
	}
	v, ok := opam.Extension(DuniverseField)
	if !ok {
		return map[string]duniverseSource{}, nil
	}
	entries, ok := v.(List)
	if !ok {
		return nil, errors.New("expected a list or a nested list")
	}
	out := map[string]duniverseSource{}
	for _, e := range entries {
		dir, src, err := duniverseEntry(e)
		if err != nil {
			return nil, err
		}
		out[dir] = src // a repeated directory: the last entry wins
	}
	return out, nil
}

func duniverseEntry(v Value) (string, duniverseSource, error) {
	str := func(v Value, ctx string) (string, error) {
		if s, ok := v.(String); ok {
			return string(s), nil
		}
		return "", errors.New("couldn't find a string " + ctx)
	}
	l, ok := v.(List)
	if !ok || len(l) != 2 && len(l) != 3 {
		return "", duniverseSource{}, errors.New("expected a list of URL, DIR, [HASHES]")
	}
	url, err := str(l[0], "url")
	if err != nil {
		return "", duniverseSource{}, err
	}
	var hashes []opamHash
	if len(l) == 3 {
		hl, ok := l[2].(List)
		if !ok {
			return "", duniverseSource{}, errors.New("couldn't decode hashes")
		}
		for _, hv := range hl {
			s, err := str(hv, "hash")
			if err != nil {
				return "", duniverseSource{}, err
			}
			h, ok := parseHash(s)
			if !ok {
				return "", duniverseSource{}, errors.New("couldn't decode opam hash in " + s)
			}
			hashes = append(hashes, h)
		}
	}
	dir, err := str(l[1], "directory")
	if err != nil {
		return "", duniverseSource{}, err
	}
	return dir, duniverseSource{url: url, hashes: hashes}, nil
}

// parseHash accepts opam's `kind=hex` (md5, sha256, sha512 with their hex
// lengths) and a bare 32-digit hex string, which opam reads as md5.
func parseHash(s string) (opamHash, bool) {
	kind, value, found := strings.Cut(s, "=")
	if !found {
		kind, value = "md5", s
	}
	for _, k := range hashKinds {
		if k.kind == kind {
			return opamHash{kind, value}, len(value) == k.len && isHex(value)
		}
	}
	return opamHash{}, false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
