package views

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/static"
)

func newViews(t *testing.T) *Views {
	t.Helper()
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(assets)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newApp serves the not-found page for every URL, plus /broken, whose
// template fails, through the same kind of error handler the server uses.
func newApp(t *testing.T, v *Views) *fiber.App {
	app := fiber.New(fiber.Config{
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return v.RenderError(c, Page{}, fiber.StatusInternalServerError, "Internal server error")
		},
	})
	app.Get("/broken", func(c *fiber.Ctx) error {
		// notfound reads .Body.Target; an int has none: execution fails.
		return v.Render(c, fiber.StatusOK, "notfound", Page{Title: "half", Body: 42})
	})
	app.Get("/me", func(c *fiber.Ctx) error {
		return v.NotFound(c, Page{User: &UserMenu{Name: "<b>alice</b>", Admin: true}, CSRF: "tok\"en",
			Crumbs: []Crumb{Home, {Text: "Job <x>", URL: "/job/" + PathEscape("<x>")}}})
	})
	app.Use(func(c *fiber.Ctx) error { return v.NotFound(c, Page{}) })
	return app
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, app *fiber.App, target string, headers map[string]string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func TestNotFoundPage(t *testing.T) {
	app := newApp(t, newViews(t))
	const evil = "/job/<script>alert(1)</script>?q=\"x\""
	tests := []struct {
		name       string
		target     string
		headers    map[string]string
		status     int
		want       []string
		wantAbsent []string
	}{
		{
			name:   "full page",
			target: "/nope?x=1",
			status: 404,
			want: []string{
				"<!doctype html>", `<html lang="en">`, `<meta charset="utf-8">`, `name="viewport"`,
				"<title>Page not found</title>",
				"<h1>This page does not exist</h1>",
				"You requested the page <code>/nope?x=1</code>",
				`<a href="/" class="site-name">builder-web</a>`,
				`<form role="search" method="get" action="/hash"`,
				`<input type="search" id="sha256" name="sha256" required`,
				"Search artifact by SHA256", `<button type="submit">Search</button>`,
				`<nav aria-label="breadcrumb">`, `<a href="/" aria-current="page">Home</a>`,
				"<main", `href="/failed-builds"`, `href="/all-builds"`, `href="/feed.atom"`, `href="/api"`,
				`<a href="/login">Log in</a>`, `id="theme-toggle"`,
				`/static/`, `/pico.min.css"`, `/app.css"`, `/htmx.min.js"`, `/sse.js"`, `/app.js"`,
			},
			wantAbsent: []string{"or back to", "Visualization"},
		},
		{
			name:       "user-controlled path is escaped",
			target:     "/job/%3Cscript%3Ealert(1)%3C/script%3E?q=%22x%22",
			status:     404,
			want:       []string{"/job/%3Cscript%3Ealert(1)%3C/script%3E?q=%22x%22"},
			wantAbsent: []string{"<script>alert"},
		},
		{
			name:       "raw script in the path is escaped",
			target:     "/x",
			headers:    map[string]string{"Referer": "https://example.org" + evil},
			status:     404,
			want:       []string{"or back to <a href=\"https://example.org/job/%3cscript%3ealert%281%29%3c/script%3e?q=%22x%22\">https://example.org/job/&lt;script&gt;alert(1)&lt;/script&gt;?q=&#34;x&#34;</a>"},
			wantAbsent: []string{"<script>alert"},
		},
		{
			name:       "javascript referer is not linked",
			target:     "/x",
			headers:    map[string]string{"Referer": "javascript:alert(1)"},
			status:     404,
			wantAbsent: []string{"or back to", "javascript:"},
		},
		{
			name:       "htmx gets only the fragment",
			target:     "/nope",
			headers:    map[string]string{"HX-Request": "true"},
			status:     404,
			want:       []string{`<section class="not-found">`, "<h1>This page does not exist</h1>"},
			wantAbsent: []string{"<!doctype html>", "<html", "<header", "<footer", "<title>"},
		},
		{
			name:    "htmx history restore gets the whole page",
			target:  "/nope",
			headers: map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"},
			status:  404,
			want:    []string{"<!doctype html>", "<h1>This page does not exist</h1>", "<footer"},
		},
		{
			name:       "iframe gets the visualization page",
			target:     "/job/x/build/y/viztreemap",
			headers:    map[string]string{"Sec-Fetch-Dest": "iframe"},
			status:     404,
			want:       []string{"<!doctype html>", "<h2>Visualization not found</h2>", "viz-not-found"},
			wantAbsent: []string{"<header", "<footer", "This page does not exist", "htmx"},
		},
		{
			name:   "signed-in user menu and crumbs",
			target: "/me",
			status: 404,
			want: []string{
				"&lt;b&gt;alice&lt;/b&gt;", `<a href="/admin/users">Users</a>`,
				`<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="tok&#34;en">`,
				`<a href="/">Home</a>`, `<a href="/job/%3Cx%3E" aria-current="page">Job &lt;x&gt;</a>`,
			},
			wantAbsent: []string{"<b>alice", "Log in"},
		},
		{
			name:       "template error is a clean 500",
			target:     "/broken",
			status:     500,
			want:       []string{"<!doctype html>", "<title>Internal Server Error</title>", "Internal server error", "</html>"},
			wantAbsent: []string{"half", "can't evaluate", "notfound"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, app, tt.target, tt.headers)
			if r.status != tt.status {
				t.Errorf("status = %d, want %d", r.status, tt.status)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
			}
			if vary := r.header.Get("Vary"); !strings.Contains(vary, "HX-Request") {
				t.Errorf("Vary = %q, want it to name HX-Request", vary)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q\nbody:\n%s", w, r.body)
				}
			}
			for _, w := range tt.wantAbsent {
				if strings.Contains(r.body, w) {
					t.Errorf("body contains %q\nbody:\n%s", w, r.body)
				}
			}
		})
	}
}

func TestRenderFragmentAndErrors(t *testing.T) {
	v := newViews(t)
	app := fiber.New()
	var renderErr error
	app.Get("/frag", func(c *fiber.Ctx) error {
		return v.RenderFragment(c, 200, "notfound", "content", Page{Body: NotFound{Target: "/t"}})
	})
	app.Get("/named", func(c *fiber.Ctx) error {
		return v.Render(c, 200, "error", Page{Fragment: "user_menu", Body: Error{Status: 1}})
	})
	app.Get("/missing", func(c *fiber.Ctx) error {
		renderErr = v.Render(c, 200, "no-such-page", nil)
		return c.SendString("handled")
	})
	r := get(t, app, "/frag", nil)
	if r.status != 200 || !strings.HasPrefix(r.body, `<section class="not-found">`) || strings.Contains(r.body, "<html") {
		t.Errorf("RenderFragment: status %d body %q", r.status, r.body)
	}
	// Page.Fragment picks the template htmx gets.
	r = get(t, app, "/named", map[string]string{"HX-Request": "true"})
	if r.body != `<li class="user-menu"><a href="/login">Log in</a></li>` {
		t.Errorf("named fragment: body %q", r.body)
	}
	get(t, app, "/missing", nil)
	if renderErr == nil {
		t.Error("Render of an unknown page returned no error")
	}
}

// The partials shared by pages, rendered on their own.
func TestPartials(t *testing.T) {
	v := newViews(t)
	set := v.pages["notfound"]
	ts := time.Date(2024, 9, 5, 7, 3, 11, 0, time.UTC)
	hash := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		name string
		data any
		want string
	}{
		{"hash", hash, `<span class="hash-copy"><span class="hash hash-short" title="` + hash + `">e3b0c44298fc</span><button type="button" class="copy js-only secondary outline" data-copy="` + hash + `" aria-label="Copy SHA-256">Copy</button>`},
		{"hash", []byte{0xab, 0xcd}, `<span class="hash hash-short" title="abcd">abcd</span>`},
		{"hash_full", hash, `<code class="hash">` + hash + `</code>`},
		{"time", ts, `<time datetime="2024-09-05T07:03:11Z" title="`},
		{"time", ts, `">2024-09-05 07:03:11Z</time>`},
		{"result", Result{OK: true, Text: "exited 0"}, `<span class="result result-ok"><span class="mark" aria-hidden="true">&#9745;</span>exited 0</span>`},
		{"result", Result{Text: "signalled SIGKILL (-7)"}, `<span class="result result-fail"><span class="mark" aria-hidden="true">&#9746;</span>signalled SIGKILL (-7)</span>`},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := set.ExecuteTemplate(&b, tt.name, tt.data); err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s(%v) = %q, want it to contain %q", tt.name, tt.data, b.String(), tt.want)
		}
	}
}

// The template functions accept the loosely typed values templates pass.
func TestFuncs(t *testing.T) {
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tmpl string
		data any
		want string
	}{
		{`{{size .}}`, 12345, "12.4kB"},
		{`{{size .}}`, int64(999999), "1MB"},
		{`{{size .}}`, uint64(5), "5B"},
		{`{{duration .}}`, 3*time.Minute + 4*time.Second, "3min4s"},
		{`{{shorthash .}}`, []byte{1, 2, 3, 4, 5, 6, 7, 8}, "010203040506"},
		{`{{hex .}}`, [32]byte{0xff}, "ff" + strings.Repeat("00", 31)},
		{`{{time .}} {{rfc3339json .}}`, time.Date(2024, 9, 5, 7, 3, 11, 0, time.UTC), "2024-09-05 07:03:11Z 2024-09-05T07:03:11-00:00"},
		{`<a href="/job/{{pathescape .}}">`, "a b/c", `<a href="/job/a%20b/c">`},
		{`{{with dict "A" 1 "B" "x"}}{{.A}}{{.B}}{{end}}`, nil, "1x"},
		{`{{static "app.js"}}`, nil, "/static/"},
	}
	for _, tt := range tests {
		tmpl := template.Must(template.New("t").Funcs(funcMap(assets)).Parse(tt.tmpl))
		var b strings.Builder
		if err := tmpl.Execute(&b, tt.data); err != nil {
			t.Errorf("%s: %v", tt.tmpl, err)
			continue
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("%s with %v = %q, want %q", tt.tmpl, tt.data, b.String(), tt.want)
		}
	}
	// Wrong types and unknown static files are template errors, not panics.
	for _, src := range []string{`{{size "x"}}`, `{{hex 3}}`, `{{dict "a"}}`, `{{static "nope.js"}}`} {
		tmpl := template.Must(template.New("t").Funcs(funcMap(assets)).Parse(src))
		if err := tmpl.Execute(io.Discard, nil); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}
