package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/handlers"
)

// Logged-in users get the visitors' cached pages with their own name and
// CSRF token in the header, never a visitor's header or another user's.
func TestPageCacheUsers(t *testing.T) {
	s := startServer(t)
	s.AddUser(t, "annuser", "annpassword", true)
	s.AddUser(t, "bobuser", "bobpassword", true)
	ann, bob, visitor := s.browser(t), s.browser(t), s.browser(t)
	for _, u := range []string{"/", "/all-builds", "/failed-builds"} {
		visitor.get(t, u) // fills the cache
		visitor.get(t, u)
	}
	for _, l := range []struct {
		b        *browser
		name, pw string
	}{{ann, "annuser", "annpassword"}, {bob, "bobuser", "bobpassword"}} {
		if r := l.b.login(t, l.name, l.pw); r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", l.name, r.status)
		}
	}
	annToken, bobToken := ann.csrf(t), bob.csrf(t)
	hits, _ := s.App.PageStats()
	for _, u := range []string{"/", "/all-builds", "/failed-builds"} {
		for _, c := range []struct {
			who        string
			b          *browser
			has, lacks []string
		}{
			{"annuser", ann, []string{"annuser", annToken}, []string{"bobuser", bobToken}},
			{"bobuser", bob, []string{"bobuser", bobToken}, []string{"annuser", annToken}},
			{"visitor", visitor, nil, []string{"annuser", "bobuser", annToken, bobToken}},
		} {
			r := c.b.get(t, u)
			if r.status != http.StatusOK {
				t.Fatalf("%s GET %s: %d", c.who, u, r.status)
			}
			for _, s := range c.has {
				if !strings.Contains(r.body, s) {
					t.Errorf("%s GET %s: page lacks %q", c.who, u, s)
				}
			}
			for _, s := range c.lacks {
				if strings.Contains(r.body, s) {
					t.Errorf("%s GET %s: page shows %q", c.who, u, s)
				}
			}
			if c.b != visitor && (r.header.Get("ETag") != "" || !strings.Contains(r.header.Get("Cache-Control"), "private")) {
				t.Errorf("%s GET %s: ETag %q, Cache-Control %q; want none and private", c.who, u, r.header.Get("ETag"), r.header.Get("Cache-Control"))
			}
		}
	}
	// Every one of the nine pages came from the cache.
	if now, _ := s.App.PageStats(); now-hits != 9 {
		t.Errorf("%d cache hits for 3 pages asked by 2 users and a visitor, want 9", now-hits)
	}
}

type fixedVersion int64

func (v fixedVersion) DataVersion(context.Context) (int64, error) { return int64(v), nil }

// Requests that miss the same page at the same time (as every client does
// right after a change of the data) wait for one rendering of it instead
// of each rendering it.
func TestPageCacheRendersAMissOnce(t *testing.T) {
	h := &handlers.Handler{Pages: pagecache.New(1 << 20), Version: pagecache.NewVersion(fixedVersion(7), time.Hour)}
	var renders atomic.Int32
	release := make(chan struct{})
	app := fiber.New()
	app.Get("/page", h.Cached, func(c *fiber.Ctx) error {
		renders.Add(1)
		<-release
		c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
		return c.SendString("the page")
	})
	const clients = 8
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/page", nil), -1)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != "the page" {
				t.Errorf("GET /page: %d %q, want 200 %q", resp.StatusCode, body, "the page")
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // every client is waiting by now
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d concurrent misses rendered the page %d times, want once", clients, n)
	}
}

// A missed page is compressed in a coding only when a client asks for it
// (issue 17: compressing the front page in gzip and brotli took ten times
// its rendering, and every request waiting for the page waited for that):
// after an uncompressed request the cache holds the plain page alone, after
// a gzip request the gzip body too, counted against the bound.
func TestPageCacheCompressesOnDemand(t *testing.T) {
	h := &handlers.Handler{Pages: pagecache.New(4 << 20), Version: pagecache.NewVersion(fixedVersion(7), time.Hour)}
	var page strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&page, "<p>line %d of the page</p>\n", i*7919%10007)
	}
	app := fiber.New()
	app.Get("/page", h.Cached, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
		return c.SendString(page.String())
	})
	get := func(enc string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/page", nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	plain := int64(page.Len())
	if r := get("identity"); r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain GET: %d, Content-Encoding %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	if got := h.Pages.Size(); got > plain+1024 {
		t.Errorf("after a plain request the cache counts %d bytes for a %d-byte page: compressed without being asked", got, plain)
	}
	if r := get("gzip"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip GET: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	withGzip := h.Pages.Size()
	if withGzip <= plain+64 || withGzip > plain+plain/2 {
		t.Errorf("after a gzip request the cache counts %d bytes for a %d-byte page, want the gzip body added", withGzip, plain)
	}
	if r := get("br"); r.Header.Get("Content-Encoding") != "br" || h.Pages.Size() <= withGzip {
		t.Errorf("br GET: Content-Encoding %q, cache %d bytes (was %d)", r.Header.Get("Content-Encoding"), h.Pages.Size(), withGzip)
	}
}
