// Package pagecache keeps rendered pages in memory, keyed by the data
// version (issue 17): a page rendered at one version is right until any
// change of the data bumps it, so entries are never invalidated one by one.
// The cache is bounded in bytes and drops the least recently used entries.
package pagecache

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// DefaultSize is the default bound of --page-cache-size.
const DefaultSize = 16 << 20

// Encoding is a content coding the cache keeps bodies in.
type Encoding int

// The codings, in the order they are preferred.
const (
	Identity Encoding = iota
	Gzip
	Brotli
)

// Token is the coding's name in Content-Encoding and ETags ("" for identity).
func (e Encoding) Token() string {
	switch e {
	case Gzip:
		return "gzip"
	case Brotli:
		return "br"
	}
	return ""
}

// Accept picks the coding to send for an Accept-Encoding header: brotli if
// accepted, then gzip, else none. A coding with q=0 is refused.
func Accept(header string) Encoding {
	br, gz := false, false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if refused(params) {
			continue
		}
		switch name {
		case "br":
			br = true
		case "gzip", "x-gzip":
			gz = true
		case "*":
			br, gz = true, true
		}
	}
	switch {
	case br:
		return Brotli
	case gz:
		return Gzip
	}
	return Identity
}

func refused(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			v = strings.TrimSpace(v)
			return strings.Trim(v, "0.") == "" // q=0, q=0.0, q=0.000
		}
	}
	return false
}

// minCompress is the smallest body worth compressing: below it the coding's
// own overhead eats the gain.
const minCompress = 512

// Compressors are kept for reuse: a new brotli writer allocates megabytes
// of tables, a gzip writer ~800 kB, and a miss compresses its page in both.
var (
	gzipWriters   = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterOptions(nil, brotliOptions) }}
)

// brotliOptions trade a few per cent of size for speed and memory: level 5
// with the default 4 MiB window took 170 ms and 11.5 MB to compress the
// 519 kB front page of the 200,000-build set; level 4 with a 256 kB window
// (larger than the distance at which an HTML page repeats itself) takes
// ~15 ms and 3 MB, and is 46 kB against 44 kB (gzip: 48 kB in 10 ms).
var brotliOptions = brotli.WriterOptions{Quality: 4, LGWin: 18}

// Compress returns body in coding e, or nil when it is not worth it (small
// body, or no gain).
func Compress(body []byte, e Encoding) []byte {
	if len(body) < minCompress || e == Identity {
		return nil
	}
	var buf bytes.Buffer
	switch e {
	case Gzip:
		w := gzipWriters.Get().(*gzip.Writer)
		w.Reset(&buf)
		_, _ = w.Write(body) // bytes.Buffer does not fail
		_ = w.Close()
		w.Reset(nil) // let go of buf
		gzipWriters.Put(w)
	case Brotli:
		w := brotliWriters.Get().(*brotli.Writer)
		w.Reset(&buf)
		_, _ = w.Write(body)
		_ = w.Close()
		w.Reset(nil)
		brotliWriters.Put(w)
	}
	if buf.Len() >= len(body) {
		return nil
	}
	return buf.Bytes()
}

// Entry is one rendered response: status, the headers to replay and the
// body in each coding, each compressed once.
type Entry struct {
	Status  int
	Headers [][2]string

	body     []byte // identity
	compress bool   // a text type: worth compressing
	// coded holds the Gzip and Brotli bodies once compressed; a nil slice
	// when that coding is not worth it.
	coded [3]atomic.Pointer[[]byte]
	once  [3]sync.Once
}

// NewEntry makes an entry of a response and compresses its body now when
// compress is set (text types): for files served from start on.
func NewEntry(status int, headers [][2]string, body []byte, compress bool) *Entry {
	e := NewLazyEntry(status, headers, body, compress)
	e.Compress(Gzip)
	e.Compress(Brotli)
	return e
}

// NewLazyEntry makes an entry of a rendered page that compresses its body
// in a coding when that coding is first asked for (Compress). A miss of
// the 519 kB front page compressing it in both codings took ~25 ms of CPU,
// ten times its rendering, and every request waiting for the page waited
// for that (issue 17: vacuum under load); a client that takes the page
// uncompressed now never waits for a compression, and one that asks for
// gzip never for brotli.
func NewLazyEntry(status int, headers [][2]string, body []byte, compress bool) *Entry {
	return &Entry{Status: status, Headers: headers, body: body, compress: compress}
}

// Compress makes the body in coding enc if it is not made yet, and
// reports whether this call made it (the entry grew: see Cache.Account).
// Concurrent calls for one coding wait for the first.
func (e *Entry) Compress(enc Encoding) bool {
	if enc == Identity || !e.compress {
		return false
	}
	did := false
	e.once[enc].Do(func() {
		b := Compress(e.body, enc)
		e.coded[enc].Store(&b)
		did = true
	})
	return did
}

// Body returns the body to send for the accepted coding and the coding it
// is in (Identity when that coding was not worth storing or is not made
// yet: call Compress first).
func (e *Entry) Body(accept Encoding) ([]byte, Encoding) {
	if accept != Identity {
		if b := e.coded[accept].Load(); b != nil && *b != nil {
			return *b, accept
		}
	}
	return e.body, Identity
}

// Compressed reports whether the entry has a compressed body, i.e. whether
// the coding sent depends on Accept-Encoding.
func (e *Entry) Compressed() bool {
	for _, enc := range []Encoding{Gzip, Brotli} {
		if b := e.coded[enc].Load(); b != nil && *b != nil {
			return true
		}
	}
	return false
}

// size is what the entry counts against the bound: its bodies, headers and
// a fixed overhead for the key and bookkeeping.
func (e *Entry) size(key string) int64 {
	n := int64(len(key)) + 128 + int64(len(e.body))
	for i := range e.coded {
		if b := e.coded[i].Load(); b != nil {
			n += int64(len(*b))
		}
	}
	for _, h := range e.Headers {
		n += int64(len(h[0]) + len(h[1]))
	}
	return n
}

// Cache is an LRU of entries bounded by the sum of their sizes.
type Cache struct {
	max int64

	mu      sync.Mutex
	size    int64
	order   *list.List // front: most recently used; values are *item
	byKey   map[string]*list.Element
	flights map[string]*Flight // misses being rendered, by key

	hits, misses atomic.Int64
}

type item struct {
	key   string
	entry *Entry
	size  int64
}

// New returns a cache holding at most max bytes; max <= 0 disables it.
func New(max int64) *Cache {
	return &Cache{max: max, order: list.New(), byKey: map[string]*list.Element{}, flights: map[string]*Flight{}}
}

// Flight is the rendering of one missed page that concurrent requests for
// the same key wait for instead of rendering it again. Every change of the
// data makes every page a miss at once; under load, all clients would then
// render the same pages side by side (the front page eight times over with
// eight clients), which is what made requests slow while builder-db vacuum
// committed batch after batch.
type Flight struct {
	done  chan struct{}
	entry *Entry // nil when the page turned out not cacheable
}

// Join returns the flight of key and whether the caller leads it: the
// leader renders the page and calls Land, the others Wait.
func (c *Cache) Join(key string) (f *Flight, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[key]; ok {
		return f, false
	}
	f = &Flight{done: make(chan struct{})}
	c.flights[key] = f
	return f, true
}

// Land ends the leader's flight with its entry (nil when the page is not
// to be cached: the waiters then render it themselves) and stores the
// entry. The leader must call it whatever happened.
func (c *Cache) Land(key string, f *Flight, e *Entry) {
	if e != nil {
		c.Put(key, e)
	}
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	c.mu.Unlock()
	f.entry = e
	close(f.done)
}

// Wait returns the leader's entry once it landed, nil when it had none to
// share, or the context's error.
func (f *Flight) Wait(ctx context.Context) (*Entry, error) {
	select {
	case <-f.done:
		return f.entry, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Enabled reports whether the cache keeps anything at all.
func (c *Cache) Enabled() bool { return c != nil && c.max > 0 }

// Get returns the entry stored under key, counting a hit or a miss.
func (c *Cache) Get(key string) (*Entry, bool) {
	c.mu.Lock()
	el, ok := c.byKey[key]
	if ok {
		c.order.MoveToFront(el)
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return el.Value.(*item).entry, true
}

// Put stores e under key, dropping the least recently used entries until
// the cache fits its bound. An entry larger than a quarter of the bound is
// not stored: it would flush everything else.
func (c *Cache) Put(key string, e *Entry) {
	n := e.size(key)
	if !c.Enabled() || n > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
	c.byKey[key] = c.order.PushFront(&item{key: key, entry: e, size: n})
	c.size += n
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

// Account counts e, stored under key, at its size now: an entry grows
// when a coding of its body is made after it was stored (Compress). Like
// Put it drops the least recently used entries until the cache fits its
// bound, so the bound holds at every moment an entry is in the cache.
func (c *Cache) Account(key string, e *Entry) {
	n := e.size(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok || el.Value.(*item).entry != e {
		return // dropped or replaced meanwhile
	}
	it := el.Value.(*item)
	if n > c.max/4 {
		c.remove(el)
		return
	}
	c.size += n - it.size
	it.size = n
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	it := c.order.Remove(el).(*item)
	delete(c.byKey, it.key)
	c.size -= it.size
}

// Size is the number of bytes the entries count for; it never exceeds the
// bound.
func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Stats returns the hits and misses counted so far.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// VersionSource reads the data version from the database.
type VersionSource interface {
	DataVersion(ctx context.Context) (int64, error)
}

// DefaultMaxAge is how long the version in memory is trusted before it is
// read again: the delay after which a change made by another process
// (builder-db vacuum) shows. Changes made through this process refresh it
// at once (Refresh).
const DefaultMaxAge = time.Second

// Version keeps the data version in memory, so that a cached page is
// found without a query.
type Version struct {
	src    VersionSource
	maxAge time.Duration

	mu      sync.Mutex // one reader of the row at a time
	version atomic.Int64
	read    atomic.Int64 // unix nanoseconds of the last read; 0: never
}

// NewVersion returns a Version reading src at most once per maxAge
// (DefaultMaxAge when <= 0).
func NewVersion(src VersionSource, maxAge time.Duration) *Version {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &Version{src: src, maxAge: maxAge}
}

// Current returns the data version, reading it from the database when the
// copy in memory is older than maxAge. While one request reads it, the
// others go on with the copy in memory instead of queueing behind that
// read: under a vacuum's stream of commits on a busy machine, the read can
// take long, and every request would have waited for it.
func (v *Version) Current(ctx context.Context) (int64, error) {
	read := v.read.Load()
	if time.Now().UnixNano()-read < int64(v.maxAge) {
		return v.version.Load(), nil
	}
	if read == 0 {
		v.mu.Lock() // never read: nothing to go on with
	} else if !v.mu.TryLock() {
		return v.version.Load(), nil
	}
	defer v.mu.Unlock()
	if time.Now().UnixNano()-v.read.Load() < int64(v.maxAge) {
		return v.version.Load(), nil // another request just read it
	}
	return v.refreshLocked(ctx)
}

// Refresh reads the version now. Writers of this process call it after
// their commit and before answering, so that the next page they or anyone
// asks for shows the change.
func (v *Version) Refresh(ctx context.Context) (int64, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.refreshLocked(ctx)
}

func (v *Version) refreshLocked(ctx context.Context) (int64, error) {
	// The copy is as old as the moment the query started, not ended: a
	// commit that lands while a slow read runs must show within maxAge of
	// that commit, not maxAge after the read returned.
	start := time.Now().UnixNano()
	n, err := v.src.DataVersion(ctx)
	if err != nil {
		return 0, err
	}
	// The counter only grows; max keeps a slow reader from going back.
	if n > v.version.Load() {
		v.version.Store(n)
	}
	v.read.Store(start)
	return v.version.Load(), nil
}
