package compare

import "testing"

func TestDiffCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newDiffCache(2)
	key := func(b byte) cacheKey { var k cacheKey; k[0][0] = b; return k }
	d1, d2, d3 := &Diff{}, &Diff{}, &Diff{}
	c.put(key(1), d1)
	c.put(key(2), d2)
	if got, ok := c.get(key(1)); !ok || got != d1 { // 1 is now the most recent
		t.Fatalf("get(1) = %v, %v", got, ok)
	}
	c.put(key(3), d3) // evicts 2
	if _, ok := c.get(key(2)); ok {
		t.Error("2 was not evicted")
	}
	for _, k := range []byte{1, 3} {
		if _, ok := c.get(key(k)); !ok {
			t.Errorf("%d was evicted", k)
		}
	}
	c.put(key(3), &Diff{}) // present: kept as it is
	if got, _ := c.get(key(3)); got != d3 {
		t.Error("put replaced a cached diff")
	}
}
