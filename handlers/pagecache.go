package handlers

import (
	"bytes"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/views"
)

// Cached serves the read pages (front, job, build, feeds, badges, their
// JSON and htmx fragments) from the page cache (issue 17). Pages are kept
// as a visitor sees them; a signed-in user's page differs only in the
// header's user menu (name, CSRF token), which cachedForUser swaps in, so
// no user ever gets another's. A page is
// keyed by the data version, so any change of the data makes it a miss;
// If-None-Match with the current ETag is answered 304 before any
// rendering or query.
func (h *Handler) Cached(c *fiber.Ctx) error {
	if !h.Pages.Enabled() || h.Version == nil ||
		(c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
		return c.Next()
	}
	version, err := h.Version.Current(c.UserContext())
	if err != nil {
		// The page can still be rendered; only the cache is lost.
		h.Log.Warn("page cache: data version", "err", err)
		return c.Next()
	}
	key := h.pageKey(c, version, time.Now())
	if c.Request().Header.Cookie(session.CookieName) != nil {
		return h.cachedForUser(c, key)
	}
	enc := pagecache.Accept(c.Get(fiber.HeaderAcceptEncoding))
	etag := pageETag(key, enc)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		c.Set(fiber.HeaderETag, `"`+etag+`"`)
		c.Vary(fiber.HeaderAcceptEncoding)
		h.Metrics.PageCache("not_modified")
		return c.SendStatus(fiber.StatusNotModified)
	}
	if e, ok := h.Pages.Get(key); ok {
		h.Metrics.PageCache("hit")
		h.sendEntry(c, key, e, enc, etag)
		return nil
	}
	// Concurrent misses of one page wait for the first one's rendering
	// (HEAD answers have no body to share).
	var flight *pagecache.Flight
	if c.Method() == fiber.MethodGet {
		f, leader := h.Pages.Join(key)
		if leader {
			flight = f
		} else if e, err := f.Wait(c.UserContext()); err == nil && e != nil {
			h.Metrics.PageCache("hit")
			h.sendEntry(c, key, e, enc, etag)
			return nil
		}
	}
	h.Metrics.PageCache("miss")
	var e *pagecache.Entry
	if flight != nil {
		// Whatever happens (an error, a page not to cache), the waiters
		// must be let go.
		defer func() { h.Pages.Land(key, flight, e) }()
	}
	if err := c.Next(); err != nil {
		return err
	}
	e = captureEntry(c)
	if e == nil {
		return nil // not cacheable: sent as rendered
	}
	// Rendered from data at least as new as version: storing it under
	// version is never stale. The leader's Land stores it.
	if flight == nil && c.Method() == fiber.MethodGet {
		h.Pages.Put(key, e)
	}
	c.Response().Header.Del(fiber.HeaderContentLength)
	h.sendEntry(c, key, e, enc, etag)
	return nil
}

// cachedForUser answers a signed-in user from the page a visitor gets,
// with the header's user menu (name, logout form with the session's CSRF
// token) swapped in: the pages differ in nothing else. Such an answer is
// the user's alone: no ETag, not for shared caches. A miss, or a cookie
// without a valid session, is rendered as usual and not stored.
func (h *Handler) cachedForUser(c *fiber.Ctx, key string) error {
	user, _ := c.Locals(views.LocalUser).(*views.UserMenu)
	csrf, _ := c.Locals(views.LocalCSRF).(string)
	if user == nil || csrf == "" {
		return c.Next()
	}
	e, ok := h.Pages.Get(key)
	if !ok {
		h.Metrics.PageCache("miss")
		return c.Next()
	}
	body, _ := e.Body(pagecache.Identity)
	page, err := h.Views.Personalize(body, user, csrf)
	if err != nil {
		return err
	}
	h.Metrics.PageCache("hit")
	r := c.Response()
	for _, hd := range e.Headers {
		r.Header.Set(hd[0], hd[1])
	}
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Status(e.Status)
	r.SetBodyRaw(page)
	return nil
}

// RefreshVersion reads the data version again after every request that
// may have written (uploads, admin forms), before its response is sent:
// once a client has the answer, no page shows the data from before.
func (h *Handler) RefreshVersion(c *fiber.Ctx) error {
	err := c.Next()
	if h.Version != nil && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		if _, verr := h.Version.Refresh(c.UserContext()); verr != nil {
			h.Log.Error("page cache: refresh data version", "err", verr)
		}
	}
	return err
}

// pageKey names one rendering of a page: the data version, the minute
// (pages say "3 minutes ago"), the URL with its query, and every request
// header the handlers choose a variant by. Feeds link absolutely, so the
// scheme and host are part of it too.
func (h *Handler) pageKey(c *fiber.Ctx, version int64, now time.Time) string {
	var b strings.Builder
	if h.secure(c) {
		b.WriteString("https|")
	}
	b.Write(c.Request().Host())
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(version, 10))
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(now.Unix()/60, 10))
	b.WriteByte('|')
	// The header's raw URI: Request.RequestURI would rewrite it and lose
	// the host of an absolute-form request line.
	b.Write(c.Request().Header.RequestURI())
	if WantsJSON(c) {
		b.WriteString("|json")
	}
	if views.IsFragmentRequest(c) {
		b.WriteString("|hx")
		for _, name := range []string{"HX-Target", "HX-Current-URL"} {
			b.WriteString("|" + c.Get(name))
		}
	}
	return b.String()
}

// pageETag is strong: one key and coding always give the same bytes.
func pageETag(key string, enc pagecache.Encoding) string {
	h := fnv.New64a()
	h.Write([]byte(key)) //nolint:errcheck // hashes do not fail
	etag := strconv.FormatUint(h.Sum64(), 36)
	if t := enc.Token(); t != "" {
		etag += "-" + t
	}
	return etag
}

// Response headers that belong to one exchange and are not replayed.
var unreplayed = map[string]bool{
	fiber.HeaderContentLength: true, fiber.HeaderDate: true, fiber.HeaderServer: true,
	fiber.HeaderConnection: true, fiber.HeaderSetCookie: true,
}

// captureEntry copies a rendered page for the cache, or returns nil when it
// must not be kept: not a 200, streamed, setting a cookie, or already coded.
func captureEntry(c *fiber.Ctx) *pagecache.Entry {
	r := c.Response()
	if r.StatusCode() != fiber.StatusOK || r.IsBodyStream() ||
		len(r.Header.PeekCookie(session.CookieName)) > 0 || len(r.Header.Peek(fiber.HeaderSetCookie)) > 0 ||
		len(r.Header.Peek(fiber.HeaderContentEncoding)) > 0 {
		return nil
	}
	var headers [][2]string
	r.Header.VisitAll(func(k, v []byte) {
		if !unreplayed[string(k)] {
			headers = append(headers, [2]string{string(k), string(v)})
		}
	})
	body := bytes.Clone(r.Body())
	return pagecache.NewLazyEntry(r.StatusCode(), headers, body, compressible(string(r.Header.ContentType())))
}

// compressible reports whether a media type is text, worth compressing.
func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/json", "application/atom+xml", "image/svg+xml", "application/xml"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// sendEntry answers with a cached page in the coding the client accepts,
// compressing it in that coding first if no request asked for it yet.
func (h *Handler) sendEntry(c *fiber.Ctx, key string, e *pagecache.Entry, enc pagecache.Encoding, etag string) {
	if e.Compress(enc) {
		h.Pages.Account(key, e)
	}
	r := c.Response()
	for _, h := range e.Headers {
		r.Header.Set(h[0], h[1])
	}
	body, sent := e.Body(enc)
	if sent != pagecache.Identity {
		c.Set(fiber.HeaderContentEncoding, sent.Token())
	} else {
		r.Header.Del(fiber.HeaderContentEncoding)
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderETag, `"`+etag+`"`)
	if len(r.Header.Peek(fiber.HeaderCacheControl)) == 0 {
		// Browsers ask again each time, and mostly get a 304.
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Status(e.Status)
	r.SetBodyRaw(body) // entries are immutable; the body is shared, not copied
}
