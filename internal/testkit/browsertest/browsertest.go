// Package browsertest runs builder-web pages in a real browser for tests:
// Debian's headless Chromium driven by chromedp, against the app listening
// on 127.0.0.1. It exercises what htmx does (typing in filters, scrolling,
// swapping fragments), which HTTP tests cannot see.
package browsertest

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/app/server"
)

// Chromium is where Debian's chromium package installs the browser.
const Chromium = "/usr/bin/chromium"

// Timeout bounds a whole browser test: a hung browser must not hang CI.
const Timeout = 60 * time.Second

// New starts a headless Chromium with a fresh profile and returns a chromedp
// context for one tab, closed when the test ends. Without Chromium the test
// is skipped, except under CI (env CI set), where it fails: CI must run it.
func New(t testing.TB) context.Context {
	t.Helper()
	return NewTimeout(t, Timeout)
}

// NewTimeout is New for a test that visits many pages and needs more than
// Timeout in all.
func NewTimeout(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser test needs %s (install Debian's chromium package): %v", Chromium, err)
		}
		t.Skipf("browser test skipped: %s not found (install Debian's chromium package)", Chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true), // small /dev/shm in containers
		chromedp.WindowSize(1280, 800),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	// Start the browser now, so that a broken installation fails here with
	// a clear message rather than in the first step of the test.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", Chromium, err)
	}
	// Transitions off, as for a visitor who asks for reduced motion: Pico
	// fades colours over 0.2 s, so a contrast check or screenshot right
	// after a theme switch could see a colour half-way.
	reduce := chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	})
	if err := chromedp.Do(bctx, reduce); err != nil {
		t.Fatalf("emulate reduced motion: %v", err)
	}
	if on, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`matchMedia("(prefers-reduced-motion: reduce)").matches`)); err != nil || !on {
		t.Fatalf("reduced motion not in effect (%v)", err)
	}
	return bctx
}

// Serve makes a's HTTP application listen on a random port of 127.0.0.1 and
// returns its base URL ("http://127.0.0.1:PORT"). It stops with the test.
func Serve(t testing.TB, a *server.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Fiber.Listener(ln) }()
	t.Cleanup(func() {
		// The browser is still open here (its cleanup runs later), and
		// Chromium preconnects sockets it may never send a request on:
		// fasthttp counts such a connection idle, and closes it, only 5 s
		// after it was accepted. A 5 s timeout lost that race under load.
		if err := a.Fiber.ShutdownWithTimeout(15 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
	})
	return "http://" + ln.Addr().String()
}

// WaitHTMX waits until the page has loaded htmx (deferred scripts ran), so
// that the page's hx- attributes are live.
func WaitHTMX(ctx context.Context) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!(window.htmx && document.readyState === 'complete')",
		chromedp.WithPollingTimeout(10*time.Second)))
	return err
}

// MarkPage sets a property on window that a full page load would remove, so
// that NotReloaded can tell an htmx swap from a navigation.
func MarkPage(ctx context.Context) error {
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.__browsertestMark = true"))
	return err
}

// NotReloaded reports whether the page marked by MarkPage is still the same
// document.
func NotReloaded(ctx context.Context) (bool, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[bool]("window.__browsertestMark === true"))
}

// Count returns how many elements match a CSS selector.
func Count(ctx context.Context, selector string) (int, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll("+quoteJS(selector)+").length"))
}

// WaitCount waits until exactly n elements match a CSS selector.
func WaitCount(ctx context.Context, selector string, n int, timeout time.Duration) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		"document.querySelectorAll("+quoteJS(selector)+").length === "+strconv.Itoa(n),
		chromedp.WithPollingTimeout(timeout)))
	return err
}

// quoteJS makes a JavaScript string literal of s (JSON strings are).
func quoteJS(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// Console records what the pages of one tab write to the browser console,
// from WatchConsole until the test ends.
type Console struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// WatchConsole starts recording the console of ctx's tab: console API
// calls, uncaught exceptions and the browser's own log, where Chromium
// reports Content-Security-Policy violations.
func WatchConsole(t testing.TB, ctx context.Context) *Console {
	t.Helper()
	wctx, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(wctx) // subscribes now, before any navigation
	c := &Console{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return c
}

// Violations returns the messages about a Content-Security-Policy: each is
// something a page tried that its policy blocked.
func (c *Console) Violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
			out = append(out, m.URL+": "+m.Text)
		}
	}
	return out
}

// All returns every message so far, for a failure report.
func (c *Console) All() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, m.String()+" ("+m.Source+" "+m.URL+")")
	}
	return out
}
