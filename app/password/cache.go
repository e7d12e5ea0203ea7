package password

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// CacheTTL is how long a successful check is remembered (product §6.3).
const CacheTTL = 5 * time.Minute

// cacheMaxEntries bounds memory if many distinct credentials succeed.
const cacheMaxEntries = 4096

// Cache remembers successful password checks, so that a builder uploading
// every few seconds pays for argon2id or scrypt once per CacheTTL, not per
// upload.
//
// Entries are keyed by an HMAC (with a random per-process key) of username,
// password and the stored credentials: no password is kept in memory, and a
// changed or disabled password misses the cache at once because the stored
// credentials are part of the key.
type Cache struct {
	key []byte
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[[sha256.Size]byte]time.Time // expiry
}

// NewCache returns an empty cache with a fresh random key.
func NewCache() (*Cache, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("credential cache key: %w", err)
	}
	return &Cache{key: key, ttl: CacheTTL, now: time.Now, entries: make(map[[sha256.Size]byte]time.Time)}, nil
}

// Check reports whether Add recorded these credentials within the TTL.
// A miss means: run Verify.
func (c *Cache) Check(username, pw string, s Stored) bool {
	k := c.mac(username, pw, s)
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.entries[k]
	return ok && c.now().Before(exp)
}

// Add records that pw verified against s for username. Call it only after
// Verify succeeded.
func (c *Cache) Add(username, pw string, s Stored) {
	k := c.mac(username, pw, s)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= cacheMaxEntries {
		c.prune(now)
	}
	c.entries[k] = now.Add(c.ttl)
}

// prune drops expired entries, and everything if that is not enough.
// Called with mu held.
func (c *Cache) prune(now time.Time) {
	for k, exp := range c.entries {
		if !now.Before(exp) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= cacheMaxEntries {
		clear(c.entries)
	}
}

func (c *Cache) mac(username, pw string, s Stored) [sha256.Size]byte {
	h := hmac.New(sha256.New, c.key)
	// Length prefixes keep ("ab","c") and ("a","bc") apart.
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(username))
	field([]byte(pw))
	field([]byte(s.Argon2id))
	field(s.ScryptHash)
	field(s.ScryptSalt)
	var p [24]byte
	binary.BigEndian.PutUint64(p[0:], uint64(s.ScryptN))
	binary.BigEndian.PutUint64(p[8:], uint64(s.ScryptR))
	binary.BigEndian.PutUint64(p[16:], uint64(s.ScryptP))
	h.Write(p[:])
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
