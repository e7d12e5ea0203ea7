package views

import "sync"

// FrontCellsKey is what a front page row's cells (FrontCells) depend on
// beyond its build, whose row never changes once committed: the counts of
// its reproducibility mark and the "ago" hint of its start.
type FrontCellsKey struct {
	Build        int64
	Repro        bool // the build has a reproducibility group
	ReproBuilds  int
	ReproOutputs int
	Ago          string // BuildRow.StartAgo
}

// FrontCellsCache keeps the cells of the front page rows by build (issue
// 17: a front page miss wrote 400 rows, 2,000 at a million builds, though
// after an upload only one job's changed). The zero value is ready; it is
// safe for concurrent use. Its size follows the front page's: Trim drops
// everything once it holds far more rows than a page shows.
type FrontCellsCache struct {
	mu    sync.Mutex
	cells map[FrontCellsKey]string
}

// Get returns the cells stored under k.
func (c *FrontCellsCache) Get(k FrontCellsKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.cells[k]
	return s, ok
}

// Put stores the cells of k.
func (c *FrontCellsCache) Put(k FrontCellsKey, cells string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cells == nil {
		c.cells = map[FrontCellsKey]string{}
	}
	c.cells[k] = cells
}

// Trim empties the cache when it holds more than twice rows (plus some
// slack): rows of builds no longer shown, or of "ago" hints gone by, are
// never asked for again. rows is the number of entries of the page being
// made.
func (c *FrontCellsCache) Trim(rows int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cells) > 2*rows+64 {
		clear(c.cells)
	}
}
