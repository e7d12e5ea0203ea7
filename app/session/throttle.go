package session

import (
	"sync"
	"time"
)

// Throttle defaults: 10 failed password checks per user name or per client
// address within 15 minutes, then refusal until the window ends.
const (
	DefaultFailureLimit = 10
	DefaultWindow       = 15 * time.Minute
)

// throttleMaxKeys bounds memory under a flood of distinct names or
// addresses; past it, entries whose window ended are dropped first.
const throttleMaxKeys = 100_000

// Throttle counts failed password checks (logins and basic-auth uploads
// alike: it is the same password) per user name and per client address.
// It lives in memory: a restart forgives, which is acceptable for a
// 15-minute window. Safe for concurrent use.
type Throttle struct {
	Limit  int
	Window time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

// NewThrottle returns a Throttle with the default limit and window.
func NewThrottle() *Throttle {
	return &Throttle{Limit: DefaultFailureLimit, Window: DefaultWindow, Now: time.Now, entries: map[string]*window{}}
}

// Keys of a check: the user name and the client address are counted apart.
func userKey(name string) string { return "u\x00" + name }
func addrKey(addr string) string { return "a\x00" + addr }

// Blocked reports whether a check for this user name from this address must
// be refused without looking at the password, and for how long.
func (t *Throttle) Blocked(name, addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	var wait time.Duration
	for _, k := range []string{userKey(name), addrKey(addr)} {
		w := t.live(k, now)
		if w != nil && w.failures >= t.Limit {
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
	for _, k := range []string{userKey(name), addrKey(addr)} {
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

// Succeed forgets the user name's failures. The address keeps its count, so
// one valid account does not reset the guessing budget of its address.
func (t *Throttle) Succeed(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, userKey(name))
}

// live returns k's window if it has not ended. Called with mu held.
func (t *Throttle) live(k string, now time.Time) *window {
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
