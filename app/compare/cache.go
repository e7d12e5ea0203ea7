package compare

import (
	"container/list"
	"sync"
)

// A Diff is a pure function of the six files it compares, and stored
// artifacts never change, so results are cached under the files' SHA-256
// hashes and can never be stale. The cache makes what follows a first view
// cheap: opening opam-file diffs, switching views, swapping back, asking
// for JSON. It is shared by the whole process for that reason.
var diffs = newDiffCache(16)

// cacheKey is the SHA-256 of opam-switch, build-environment and
// system-packages of the left build, then of the right.
type cacheKey [6][32]byte

type diffCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cacheEntry, most recently used first
	byKey map[cacheKey]*list.Element
}

type cacheEntry struct {
	key  cacheKey
	diff *Diff
}

func newDiffCache(max int) *diffCache {
	return &diffCache{max: max, order: list.New(), byKey: map[cacheKey]*list.Element{}}
}

func (c *diffCache) get(k cacheKey) (*Diff, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).diff, true
}

func (c *diffCache) put(k cacheKey, d *Diff) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&cacheEntry{key: k, diff: d})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cacheEntry).key)
	}
}
