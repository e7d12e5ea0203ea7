package pagecache

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// The cache never holds more than its bound, drops the least recently used
// entry first, and refuses an entry that would flush everything.
func TestCacheBound(t *testing.T) {
	const max = 64 << 10
	c := New(max)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		body := bytes.Repeat([]byte{byte(i)}, rng.IntN(max/3))
		c.Put(fmt.Sprintf("k%d", i), NewEntry(200, [][2]string{{"Content-Type", "text/html"}}, body, i%10 == 0))
		if c.Size() > max {
			t.Fatalf("after %d puts: %d bytes, bound %d", i+1, c.Size(), max)
		}
		if i%7 == 0 {
			c.Get(fmt.Sprintf("k%d", rng.IntN(i+1)))
		}
	}
	if c.Len() == 0 {
		t.Fatal("cache empty after 300 puts")
	}

	c = New(max)
	big := NewEntry(200, nil, make([]byte, max/2), false)
	c.Put("big", big)
	if _, ok := c.Get("big"); ok {
		t.Error("an entry of half the bound was kept")
	}
	small := func() *Entry { return NewEntry(200, nil, make([]byte, max/8), false) }
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c.Put(k, small())
		if k == "c" {
			c.Get("a") // a is now more recent than b
		}
	}
	if _, ok := c.Get("b"); ok {
		t.Error("b, the least recently used, is still there")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a, used after b, was dropped first")
	}
}

func TestAccept(t *testing.T) {
	for _, c := range []struct {
		header string
		want   Encoding
	}{
		{"", Identity},
		{"identity", Identity},
		{"gzip", Gzip},
		{"gzip, deflate, br", Brotli},
		{"br;q=0, gzip", Gzip},
		{"br;q=0.0,gzip;q=0", Identity},
		{"*", Brotli},
		{"BR;q=0.5", Brotli},
	} {
		if got := Accept(c.header); got != c.want {
			t.Errorf("Accept(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}

// Concurrent misses of one key have one leader; the others get its entry,
// or nothing (and render themselves) when it had none.
func TestFlight(t *testing.T) {
	c := New(1 << 20)
	f, leader := c.Join("k")
	g, second := c.Join("k")
	if !leader || second || f != g {
		t.Fatalf("Join twice: leader %v then %v, same flight %v; want true, false, true", leader, second, f == g)
	}
	got := make(chan *Entry)
	go func() {
		e, err := g.Wait(t.Context())
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	e := NewEntry(200, nil, []byte("page"), false)
	c.Land("k", f, e)
	if w := <-got; w != e {
		t.Errorf("waiter got %v, want the leader's entry", w)
	}
	if s, ok := c.Get("k"); !ok || s != e {
		t.Errorf("after Land: cached %v, %v; want the entry", s, ok)
	}
	// A new miss after landing leads a new flight; one without an entry
	// lets the waiters go empty-handed.
	f, leader = c.Join("k")
	g, _ = c.Join("k")
	if !leader {
		t.Fatal("Join after Land: not the leader")
	}
	c.Land("k", f, nil)
	if w, err := g.Wait(t.Context()); w != nil || err != nil {
		t.Errorf("waiter of a flight without entry: %v, %v; want nil, nil", w, err)
	}
}

// slowVersion answers the first read at once and the later ones when
// released.
type slowVersion struct {
	n       atomic.Int64
	release chan struct{}
}

func (s *slowVersion) DataVersion(ctx context.Context) (int64, error) {
	if s.n.Add(1) > 1 {
		<-s.release
	}
	return s.n.Load(), nil
}

// While one request reads a stale version again, the others get the copy
// in memory at once instead of waiting for that read.
func TestVersionReadDoesNotQueue(t *testing.T) {
	src := &slowVersion{release: make(chan struct{})}
	v := NewVersion(src, time.Millisecond)
	if n, err := v.Current(t.Context()); n != 1 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	time.Sleep(5 * time.Millisecond)
	reading := make(chan int64)
	go func() {
		n, _ := v.Current(t.Context())
		reading <- n
	}()
	for src.n.Load() < 2 {
		time.Sleep(time.Millisecond) // until the reader is in DataVersion
	}
	done := make(chan int64)
	go func() {
		n, _ := v.Current(t.Context())
		done <- n
	}()
	select {
	case n := <-done:
		if n != 1 {
			t.Errorf("during the read: version %d, want the copy in memory, 1", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a request waited for another's read of the version")
	}
	close(src.release)
	if n := <-reading; n != 2 {
		t.Errorf("the reader got %d, want 2", n)
	}
}

// delayedVersion takes delay to answer, as a read of the version row does
// on a busy machine; the version is whatever the test set.
type delayedVersion struct {
	delay time.Duration
	n     atomic.Int64
}

func (s *delayedVersion) DataVersion(ctx context.Context) (int64, error) {
	n := s.n.Load() // read when the query starts, answered when it ends
	time.Sleep(s.delay)
	return n, nil
}

// The copy in memory is as old as the start of the read that fetched it: a
// change committed while a slow read ran shows maxAge after that read
// started, not maxAge after it returned (the two-node test saw 803 ms of
// its 1 s bound go this way).
func TestVersionAgeCountsFromTheReadsStart(t *testing.T) {
	const maxAge, delay = 400 * time.Millisecond, 300 * time.Millisecond
	src := &delayedVersion{delay: delay}
	src.n.Store(1)
	v := NewVersion(src, maxAge)
	start := time.Now()
	if n, err := v.Current(t.Context()); n != 1 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	src.n.Store(2) // committed while the read ran, or just after
	time.Sleep(time.Until(start.Add(maxAge + 50*time.Millisecond)))
	if n, _ := v.Current(t.Context()); n != 2 {
		t.Errorf("%v after the first read started: version %d, want 2", time.Since(start).Round(time.Millisecond), n)
	}
}

// Entries compressed after they were stored (NewLazyEntry, Compress) are
// counted at their new size at once (Account), and the bound holds at
// every moment.
func TestCacheBoundLazy(t *testing.T) {
	const max = 256 << 10
	c := New(max)
	rng := rand.New(rand.NewPCG(3, 4))
	var keys []string
	var entries []*Entry
	for i := range 60 {
		var body bytes.Buffer
		for body.Len() < max/6 {
			fmt.Fprintf(&body, "<tr><td>%d</td><td>%x</td></tr>\n", rng.IntN(1000), rng.Uint32())
		}
		k := fmt.Sprintf("k%d", i)
		e := NewLazyEntry(200, [][2]string{{"Content-Type", "text/html"}}, body.Bytes(), true)
		c.Put(k, e)
		keys, entries = append(keys, k), append(entries, e)
		for j := range keys {
			for _, enc := range []Encoding{Gzip, Brotli} {
				if rng.IntN(3) == 0 && entries[j].Compress(enc) {
					c.Account(keys[j], entries[j])
				}
				if c.Size() > max {
					t.Fatalf("after %d puts: %d bytes, bound %d", i+1, c.Size(), max)
				}
			}
		}
	}
	var sum int64
	for i, k := range keys {
		if e, ok := c.Get(k); ok {
			sum += e.size(k)
			if b, enc := e.Body(Gzip); enc == Gzip && len(b) >= len(entries[i].body) {
				t.Errorf("%s: gzip body of %d bytes, plain %d", k, len(b), len(entries[i].body))
			}
		}
	}
	if sum != c.Size() {
		t.Errorf("entries count %d bytes, cache says %d", sum, c.Size())
	}
}
