package session

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Throttle defaults: 10 failed password checks for one user name from one
// client address, or 30 from one address whatever the names, within 15
// minutes; then refusal until the window ends.
//
// Failures are never counted per user name alone: that let anyone lock
// an uploader or administrator out from everywhere with ten wrong
// passwords. The same user from the same address stays throttled (the
// guesser may be that address), while a correct password from an address
// that has not failed is always checked. The address limit is three times
// the per-user one so that a few people behind one NAT who mistype do not
// lock each other out, while one address spraying many names is still
// stopped after 30 guesses.
const (
	DefaultFailureLimit = 10
	DefaultAddressLimit = 3 * DefaultFailureLimit
	DefaultWindow       = 15 * time.Minute
)

// throttleMaxKeys bounds memory under a flood of distinct names or
// addresses; past it, entries whose window ended are dropped first. Keys
// are fixed-size hashes, so this bounds the bytes too, whatever the
// length of the names tried.
const throttleMaxKeys = 100_000

// Throttle counts failed password checks (logins and basic-auth uploads
// alike: it is the same password) per user name and client address, and
// per client address. It lives in memory: a restart forgives, which is
// acceptable for a 15-minute window. Safe for concurrent use.
type Throttle struct {
	Limit     int // failures of one user name from one address
	AddrLimit int // failures from one address, any user name
	Window    time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu      sync.Mutex
	entries map[throttleKey]*window
}

// throttleKey is a SHA-256 of what is counted: never the name itself, which
// a client chooses and could make large.
type throttleKey [sha256.Size]byte

type window struct {
	start    time.Time
	failures int
}

// NewThrottle returns a Throttle with the default limits and window.
func NewThrottle() *Throttle {
	return &Throttle{Limit: DefaultFailureLimit, AddrLimit: DefaultAddressLimit, Window: DefaultWindow,
		Now: time.Now, entries: map[throttleKey]*window{}}
}

// userKey counts a user name from an address. The address (an IP in text
// form) holds no NUL, so the encoding is unambiguous.
func userKey(name, addr string) throttleKey {
	return sha256.Sum256([]byte("u\x00" + addr + "\x00" + name))
}

func addrKey(addr string) throttleKey { return sha256.Sum256([]byte("a\x00" + addr)) }

// Blocked reports whether a check for this user name from this address must
// be refused without looking at the password, and for how long.
func (t *Throttle) Blocked(name, addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	var wait time.Duration
	for _, c := range []struct {
		k     throttleKey
		limit int
	}{{userKey(name, addr), t.Limit}, {addrKey(addr), t.AddrLimit}} {
		w := t.live(c.k, now)
		if w != nil && w.failures >= c.limit {
			wait = max(wait, w.start.Add(t.Window).Sub(now))
		}
	}
	return wait > 0, wait
}

// Fail records a failed check.
func (t *Throttle) Fail(name, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	for _, k := range []throttleKey{userKey(name, addr), addrKey(addr)} {
		w := t.live(k, now)
		if w == nil {
			if len(t.entries) >= throttleMaxKeys {
				t.prune(now)
			}
			w = &window{start: now}
			t.entries[k] = w
		}
		w.failures++
	}
}

// Succeed forgets the failures of the user name from this address. The
// address keeps its count, so one valid account does not reset the
// guessing budget of its address.
func (t *Throttle) Succeed(name, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, userKey(name, addr))
}

// live returns k's window if it has not ended. Called with mu held.
func (t *Throttle) live(k throttleKey, now time.Time) *window {
	w := t.entries[k]
	if w == nil {
		return nil
	}
	if !now.Before(w.start.Add(t.Window)) {
		delete(t.entries, k)
		return nil
	}
	return w
}

// prune drops ended windows, and all windows if that frees nothing: losing
// counts is better than unbounded memory. Called with mu held.
func (t *Throttle) prune(now time.Time) {
	for k, w := range t.entries {
		if !now.Before(w.start.Add(t.Window)) {
			delete(t.entries, k)
		}
	}
	if len(t.entries) >= throttleMaxKeys {
		clear(t.entries)
	}
}
