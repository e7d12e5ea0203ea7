package generate

import "math"

// Everything the generator makes is a pure function of (seed, what, index),
// so records can be produced in any order and in parallel. These helpers
// are a tiny splitmix64-based PRNG and hash combiner: much cheaper than
// math/rand and with no shared state to lock.

const golden = 0x9e3779b97f4a7c15

// mix64 is splitmix64's finaliser: a bijective, well-scrambling 64-bit mix.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// hash2 combines two values into a new well-mixed key; order matters.
func hash2(a, b uint64) uint64 { return mix64(a*golden ^ mix64(b+golden)) }

// hash3 is hash2 over three values.
func hash3(a, b, c uint64) uint64 { return hash2(hash2(a, b), c) }

// strHash is FNV-1a, used to turn names into stable keys.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// rng is splitmix64: one add and a mix per value.
type rng struct{ s uint64 }

func newRng(key uint64) *rng { return &rng{s: mix64(key)} }

func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// intn returns a value in [0, n); the modulo bias is irrelevant here.
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return float64(r.next()>>11)/(1<<53) < p }

// logUniform returns a value in [lo, hi] whose logarithm is uniform, so
// short and long periods are both common.
func (r *rng) logUniform(lo, hi int) int {
	f := float64(r.next()>>11) / (1 << 53)
	v := float64(lo) * math.Pow(float64(hi)/float64(lo), f)
	return int(v)
}

const hexDigits = "0123456789abcdef"

// appendHex appends n pseudo-random hex digits derived from key; used for
// checksums, commit ids and hashes that only need to look real and be
// stable.
func appendHex(dst []byte, key uint64, n int) []byte {
	r := rng{s: key}
	for n > 0 {
		v := r.next()
		for j := 0; j < 16 && n > 0; j++ {
			dst = append(dst, hexDigits[v&15])
			v >>= 4
			n--
		}
	}
	return dst
}
