package generate

import (
	"strconv"
	"strings"
)

// Version drift: a package's version is a function of how many releases
// it has had by a given round of builds (k). Release k is derived from
// release k-1 by a patch, minor or (rarely) major bump; which one depends
// only on the release group and k, so packages released together (same
// repository and version) keep identical versions.

// versionAt returns the k-th release of pk, k = 0 being the pool version.
func (pk *poolPkg) versionAt(k int) string {
	if len(pk.versions) > 1 {
		return pk.versions[min(k, len(pk.versions)-1)]
	}
	v := pk.versions[0]
	if pk.fixed {
		return v
	}
	gk := strHash(pk.group)
	for step := 1; step <= k; step++ {
		r := hash2(gk, uint64(step)) % 100
		kind := bumpPatch
		switch {
		case pk.style == styleJane:
			kind = bumpMinor
		case r >= 97:
			kind = bumpMajor
		case r >= 70:
			kind = bumpMinor
		}
		v = bump(v, kind)
	}
	return v
}

const (
	bumpPatch = iota
	bumpMinor
	bumpMajor
)

// bump returns the version after a release of the given kind. Versions
// with pre-release or build suffixes ("1.0.0~alpha4", "1.1+18") just count
// up their trailing number, which is what such series do in practice.
func bump(v string, kind int) string {
	prefix := ""
	if strings.HasPrefix(v, "v") {
		prefix, v = "v", v[1:]
	}
	if strings.ContainsAny(v, "~+-") {
		return prefix + bumpTrailing(v)
	}
	parts := strings.Split(v, ".")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return prefix + bumpTrailing(v)
		}
		nums[i] = n
	}
	at := len(nums) - 1 // patch
	switch {
	case kind == bumpMajor && len(nums) > 1:
		at = 0
	case kind == bumpMinor && len(nums) > 2:
		at = len(nums) - 2
	}
	nums[at]++
	for i := at + 1; i < len(nums); i++ {
		nums[i] = 0
	}
	b := []byte(prefix)
	for i, n := range nums {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(b)
}

// bumpTrailing increments the number at the end of v, or appends ".1".
func bumpTrailing(v string) string {
	i := len(v)
	for i > 0 && v[i-1] >= '0' && v[i-1] <= '9' {
		i--
	}
	if i == len(v) {
		return v + ".1"
	}
	n, _ := strconv.Atoi(v[i:])
	return v[:i] + strconv.Itoa(n+1)
}
