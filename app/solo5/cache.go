package solo5

import (
	"io"
	"sync"
)

// File is what Cache.Read opens: an artifact to read the notes from.
type File interface {
	io.ReaderAt
	io.Closer
}

// Cache remembers what Read found in artifacts, by their SHA-256. Artifacts
// are stored by content hash, so a result never goes stale, and pages that
// show solo5 information (the front page JSON lists one per job) open each
// binary once. It holds at most a fixed number of results, forgetting the
// oldest first; a result is small (at most 64 device names).
type Cache struct {
	mu    sync.Mutex
	size  int
	items map[string]cached
	order []string // keys in insertion order, a ring once full
	next  int      // the ring position to overwrite next
}

type cached struct {
	info *Info
	err  error
}

// NewCache returns a cache of at most size results (at least 1).
func NewCache(size int) *Cache {
	return &Cache{size: max(size, 1), items: map[string]cached{}}
}

// Read returns Read's result for the artifact with this hash, reading it
// through open the first time. A failing open is returned and not
// remembered: the file may be back later. The Info returned is shared
// between callers, who must not modify it.
func (c *Cache) Read(sha256 []byte, open func() (File, error)) (*Info, error) {
	key := string(sha256)
	c.mu.Lock()
	r, ok := c.items[key]
	c.mu.Unlock()
	if ok {
		return r.info, r.err
	}
	f, err := open()
	if err != nil {
		return nil, err
	}
	r.info, r.err = Read(f)
	// Closing a file only read from cannot lose anything.
	_ = f.Close()
	// Read's error is about the content, which the hash fixes: remember it.
	c.add(key, r)
	return r.info, r.err
}

func (c *Cache) add(key string, r cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return // read concurrently by another request
	}
	c.items[key] = r
	if len(c.order) < c.size {
		c.order = append(c.order, key)
		return
	}
	delete(c.items, c.order[c.next])
	c.order[c.next] = key
	c.next = (c.next + 1) % c.size
}

// Len is the number of results held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}
