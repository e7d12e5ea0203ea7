package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/static"
	"github.com/builder-web/builder-web/views"
)

// warm asks twice for each page, so that the second answer (and the next
// ones) come from the page cache, and checks that they did.
func warm(t *testing.T, env *apptest.Env, urls ...string) {
	t.Helper()
	hits, _ := env.App.PageStats()
	for _, u := range urls {
		env.Get(t, u)
		env.Get(t, u)
	}
	if now, _ := env.App.PageStats(); now-hits < int64(len(urls)) {
		t.Fatalf("page cache: %d hits for %d repeated pages, want all", now-hits, len(urls))
	}
}

// eventually polls url until its body has (or lacks) s, for at most wait:
// changes made by another process show within a second.
func eventually(t *testing.T, env *apptest.Env, url, s string, has bool, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		r := env.Get(t, url)
		if strings.Contains(string(r.Body), s) == has {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s after %v: contains %q is %v, want %v", url, wait, s, !has, has)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestPageCacheShowsUploadAtOnce(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "alpha", N: 1, Bin: "a1"})
	warm(t, env, "/", "/job/alpha", "/all-builds", "/job/alpha/build/"+ovUUID(1))

	ovUpload(t, env, ovBuild{Job: "alpha", N: 2, Bin: "a2"}, ovBuild{Job: "beta", N: 3, Bin: "b3"})
	// No waiting: the upload's 201 came after the version was read again.
	for _, c := range []struct{ url, want string }{
		{"/", "beta"},
		{"/job/alpha", ovUUID(2)},
		{"/all-builds", ovUUID(3)},
	} {
		if r := env.Get(t, c.url); !strings.Contains(string(r.Body), c.want) {
			t.Errorf("GET %s right after the upload: no %q", c.url, c.want)
		}
	}
}

// Another process (builder-db job-remove, vacuum) writes the database; the
// server sees the change within a second.
func TestPageCacheSeesOtherProcess(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env,
		ovBuild{Job: "alpha", N: 1, Bin: "a1"}, ovBuild{Job: "alpha", N: 2, Bin: "a2"},
		ovBuild{Job: "beta", N: 3, Bin: "b3"})
	warm(t, env, "/", "/job/alpha")

	data, err := datadir.Open(t.Context(), env.Dir, datadir.Options{Database: env.Database})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	d, st := data.DB, data.Store
	if _, err := ops.RemoveJob(t.Context(), d, st, "beta"); err != nil {
		t.Fatalf("job-remove: %v", err)
	}
	eventually(t, env, "/", "/job/beta", false, 2*time.Second)

	if _, err := ops.Vacuum(t.Context(), d, st, ops.VacuumOptions{Mode: ops.VacuumExceptLatest, N: 1}); err != nil {
		t.Fatalf("vacuum: %v", err)
	}
	eventually(t, env, "/job/alpha", ovUUID(1), false, 2*time.Second)
}

func TestPageCacheETag(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "alpha", N: 1, Bin: "a1"})
	for _, url := range []string{"/", "/job/alpha", "/job/alpha/build/" + ovUUID(1), "/feed.atom"} {
		first := env.Get(t, url)
		etag := first.Header.Get("ETag")
		if first.Status != http.StatusOK || etag == "" || strings.HasPrefix(etag, "W/") {
			t.Fatalf("GET %s: %d, ETag %q; want 200 with a strong ETag", url, first.Status, etag)
		}
		r := env.Get(t, url, "If-None-Match", etag)
		if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
			t.Errorf("GET %s with its ETag: %d, %d bytes, ETag %q; want 304, empty, %q",
				url, r.Status, len(r.Body), r.Header.Get("ETag"), etag)
		}
		if r := env.Get(t, url, "If-None-Match", `"someotheretag"`); r.Status != http.StatusOK {
			t.Errorf("GET %s with another ETag: %d, want 200", url, r.Status)
		}
	}
	old := env.Get(t, "/job/alpha").Header.Get("ETag")
	ovUpload(t, env, ovBuild{Job: "alpha", N: 2, Bin: "a2"})
	r := env.Get(t, "/job/alpha", "If-None-Match", old)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), ovUUID(2)) || r.Header.Get("ETag") == old {
		t.Errorf("GET /job/alpha with the ETag from before an upload: %d, ETag %q (old %q); want 200 with the new build",
			r.Status, r.Header.Get("ETag"), old)
	}
}

// A page from the cache carries the same security headers as a rendered
// one, and comes compressed as the client accepts.
func TestPageCacheHeadersAndCompression(t *testing.T) {
	env := apptest.New(t)
	ovEnv(t, env, ovBuild{Job: "alpha", N: 1, Bin: "a1", Result: builder.Result{Kind: builder.Exited}})
	plain := env.Get(t, "/job/alpha")
	for _, enc := range []string{"", "gzip", "br", "gzip, deflate, br"} {
		r := env.Get(t, "/job/alpha", "Accept-Encoding", enc) // from the cache
		if got := r.Header.Get("Content-Security-Policy"); got != views.PagePolicy {
			t.Errorf("Accept-Encoding %q: CSP %q, want %q", enc, got, views.PagePolicy)
		}
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("Accept-Encoding %q: X-Content-Type-Options %q", enc, got)
		}
		if v := r.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q lacks Accept-Encoding", enc, v)
		}
		want := map[string]string{"": "", "gzip": "gzip", "br": "br", "gzip, deflate, br": "br"}[enc]
		if got := r.Header.Get("Content-Encoding"); got != want {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", enc, got, want)
		}
		var body []byte
		var err error
		switch want {
		case "gzip":
			zr, zerr := gzip.NewReader(bytes.NewReader(r.Body))
			if zerr != nil {
				t.Fatal(zerr)
			}
			body, err = io.ReadAll(zr)
		case "br":
			body, err = io.ReadAll(brotli.NewReader(bytes.NewReader(r.Body)))
		default:
			body = r.Body
		}
		if err != nil || !bytes.Equal(body, plain.Body) {
			t.Errorf("Accept-Encoding %q: decoded body differs from the plain page (%v)", enc, err)
		}
		if want != "" && len(r.Body) >= len(plain.Body) {
			t.Errorf("Accept-Encoding %q: %d bytes, plain %d", enc, len(r.Body), len(plain.Body))
		}
	}
}

// Static files are compressed once at start and cached forever under their
// hashed URLs.
func TestStaticCompressed(t *testing.T) {
	env := apptest.New(t)
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"htmx.min.js", "pico.min.css"} {
		url := assets.URL(name)
		plain := env.Get(t, url)
		for _, enc := range []string{"gzip", "br"} {
			r := env.Get(t, url, "Accept-Encoding", enc)
			if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != enc ||
				r.Header.Get("Cache-Control") != static.CacheControl || !strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("GET %s (%s): %d, Content-Encoding %q, Cache-Control %q, Vary %q", url, enc,
					r.Status, r.Header.Get("Content-Encoding"), r.Header.Get("Cache-Control"), r.Header.Get("Vary"))
			}
			var zr io.Reader = brotli.NewReader(bytes.NewReader(r.Body))
			if enc == "gzip" {
				if zr, err = gzip.NewReader(bytes.NewReader(r.Body)); err != nil {
					t.Fatal(err)
				}
			}
			body, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(body, plain.Body) || len(r.Body)*2 > len(plain.Body) {
				t.Errorf("GET %s (%s): %d bytes decode to %d (%v), plain %d", url, enc, len(r.Body), len(body), err, len(plain.Body))
			}
		}
	}
}

func TestPageCacheMetrics(t *testing.T) {
	env := apptest.New(t)
	first := env.Get(t, "/")
	env.Get(t, "/")
	env.Get(t, "/", "If-None-Match", first.Header.Get("ETag"))
	body := string(env.Get(t, "/metrics").Body)
	for _, want := range []string{
		`builder_web_page_cache_requests_total{result="miss"} 1`,
		`builder_web_page_cache_requests_total{result="hit"} 1`,
		`builder_web_page_cache_requests_total{result="not_modified"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
