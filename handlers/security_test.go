package handlers_test

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/views"
)

// hostileName is an artifact name that tries to end the
// Content-Disposition header and start another one.
const hostileName = "x\"y\r\nSet-Cookie: a=b;.html"

// hostileRecord is a build whose artifacts a browser would run as documents
// (HTML, XHTML, XML, SVG) next to ones it shows (text, images).
func hostileRecord(t *testing.T, uuid string) []byte {
	t.Helper()
	files := append(inputFiles("hostile"),
		binary("bin/hostile.hvt", "hostile"),
		builder.File{Path: "report.html", Data: []byte(`<script>fetch("/admin/users")</script>`)},
		builder.File{Path: "doc/page.htm", Data: []byte(`<script>alert(1)</script>`)},
		builder.File{Path: "page.xhtml", Data: []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`)},
		builder.File{Path: "data.xml", Data: []byte(`<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>`)},
		builder.File{Path: "logo.svg", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		builder.File{Path: "notes.txt", Data: []byte("<script>alert(1)</script>")},
		builder.File{Path: "shot.png", Data: []byte("\x89PNG\r\n\x1a\n")},
		builder.File{Path: hostileName, Data: []byte("<script>alert(1)</script>")},
	)
	return rec{job: "hostile", uuid: uuid, start: t0, result: builder.Result{Kind: builder.Exited}, files: files}.encode(t)
}

// Every download from a build is sandboxed and never sniffed; the types a
// browser would run as a document come as attachments, with the file name
// quoted so that a hostile name stays one header; text and images stay
// inline (issue #11).
func TestDownloadHeaders(t *testing.T) {
	env := newEnv(t)
	uuid := testUUID(11)
	upload(t, env, hostileRecord(t, uuid))
	base := buildURL("hostile", uuid)

	var downloads []scenario
	for _, tc := range []struct {
		url        string
		attachment string // the file name offered; "" means inline
	}{
		{url: base + "/f/report.html", attachment: "report.html"},
		{url: base + "/f/doc/page.htm", attachment: "page.htm"},
		{url: base + "/f/page.xhtml", attachment: "page.xhtml"},
		{url: base + "/f/data.xml", attachment: "data.xml"},
		{url: base + "/f/logo.svg", attachment: "logo.svg"},
		{url: base + "/f/" + views.PathEscape(hostileName), attachment: hostileName},
		{url: base + "/f/notes.txt"},
		{url: base + "/f/shot.png"},
		{url: base + "/f/bin/hostile.hvt"},
		{url: base + "/f/opam-switch"},
		{url: base + "/console"},
		{url: base + "/script"},
		{url: base + "/exec"},
		{url: base + "/all.tar.gz"},
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			downloads = append(downloads, scenario{name: method + " " + tc.url, method: method, url: tc.url,
				status: http.StatusOK, check: func(t *testing.T, r apptest.Response) {
					assertDownloadHeaders(t, r.Header)
					assertAttachment(t, r.Header, tc.attachment)
				}})
		}
	}
	runScenarios(t, env, downloads)
	if c := get(t, env, base+"/f/"+views.PathEscape(hostileName)).Header.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("the hostile name set a cookie: %q", c)
	}

	// main-binary redirects to the download; the redirect is sandboxed too.
	r := get(t, env, base+"/main-binary")
	if r.Status != http.StatusFound {
		t.Fatalf("main-binary: status %d, want 302", r.Status)
	}
	assertDownloadHeaders(t, r.Header)

	// The status badge is an SVG with the job's name in it.
	r = get(t, env, "/job/hostile/badge.svg")
	if r.Status != http.StatusOK {
		t.Fatalf("badge: status %d, want 200", r.Status)
	}
	assertDownloadHeaders(t, r.Header)

	// A visualization is a script by nature: opened alone it runs in a
	// unique origin, framed it shows inline.
	placeViz(t, env, "dependencies_1", sha256Hex(inputFiles("hostile")[0].Data), "<script>1</script>")
	r = get(t, env, base+"/vizdependencies")
	if r.Status != http.StatusOK {
		t.Fatalf("vizdependencies: status %d, want 200\n%s", r.Status, r.Body)
	}
	if got := r.Header.Get("Content-Security-Policy"); got != "sandbox allow-scripts" {
		t.Errorf("vizdependencies: Content-Security-Policy %q, want %q", got, "sandbox allow-scripts")
	}
	if got := r.Header.Get("Content-Disposition"); got != "" {
		t.Errorf("vizdependencies: Content-Disposition %q, want none", got)
	}
}

func assertDownloadHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Content-Security-Policy"); got != "sandbox" {
		t.Errorf("Content-Security-Policy %q, want %q (no allow-scripts, no allow-same-origin)", got, "sandbox")
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", got)
	}
}

// Every HTML answer, full page, htmx fragment or error page, carries the
// page policy: scripts and styles only from the site, no framing, no
// sniffing, no referrer to other sites (issue #11).
func TestPageHeaders(t *testing.T) {
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	s.AddUser(t, testUser, testPW, false)
	uuid := testUUID(12)
	mustStatus(t, "upload", s.upload(t, testUser, testPW, hostileRecord(t, uuid)), http.StatusCreated)
	base := buildURL("hostile", uuid)

	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	for _, tc := range []struct {
		name    string
		url     string
		status  int
		headers []string
	}{
		{"front page", "/", http.StatusOK, nil},
		{"job page", "/job/hostile", http.StatusOK, nil},
		{"build page", base, http.StatusOK, nil},
		{"job page fragment", "/job/hostile", http.StatusOK, []string{"HX-Request", "true"}},
		{"console panel fragment", base + "/console/view", http.StatusOK, []string{"HX-Request", "true"}},
		{"login", "/login", http.StatusOK, nil},
		{"admin", "/admin/users", http.StatusOK, nil},
		{"not found", "/no/such/page", http.StatusNotFound, nil},
		{"missing artifact", base + "/f/missing.html", http.StatusNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.get(t, tc.url, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", r.status, tc.status, r.body)
			}
			assertPageHeaders(t, r.header, "'none'")
		})
	}

	// The error page: a form without its CSRF token.
	r := b.post(t, "/admin/users", url.Values{"username": {"x"}})
	if r.status != http.StatusForbidden {
		t.Fatalf("POST without token: status %d, want 403\n%s", r.status, r.body)
	}
	assertPageHeaders(t, r.header, "'none'")

	// Plain-text errors are not sniffed either.
	r = b.get(t, "/job/hostile/build/not-a-uuid")
	if r.status != http.StatusBadRequest || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("bad uuid: status %d, X-Content-Type-Options %q; want 400, nosniff", r.status, r.header.Get("X-Content-Type-Options"))
	}

	// The one page the site frames: the note inside the build page's
	// visualization iframes.
	r = b.get(t, base+"/viztreemap", "Sec-Fetch-Dest", "iframe")
	if r.status != http.StatusNotFound {
		t.Fatalf("viztreemap: status %d, want 404", r.status)
	}
	assertPageHeaders(t, r.header, "'self'")
}

func assertPageHeaders(t *testing.T, h http.Header, frameAncestors string) {
	t.Helper()
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want a page", ct)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "style-src 'self';", "frame-ancestors " + frameAncestors + ";", "object-src 'none'"} {
		if !containsDirective(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if containsDirective(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %q", csp, bad)
		}
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", got)
	}
	if got := h.Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("Referrer-Policy %q, want same-origin", got)
	}
}

// containsDirective reports whether the policy has part; the last
// directive has no ";" of its own.
func containsDirective(csp, part string) bool {
	return strings.Contains(csp+";", part)
}

// assertAttachment checks that a download is offered as an attachment
// named name, or inline when name is "".
func assertAttachment(t *testing.T, h http.Header, name string) {
	t.Helper()
	cd := h.Values("Content-Disposition")
	if name == "" {
		if len(cd) != 0 {
			t.Errorf("Content-Disposition %q, want none (inline)", cd)
		}
		return
	}
	if len(cd) != 1 {
		t.Fatalf("Content-Disposition %q, want one attachment", cd)
	}
	kind, params, err := mime.ParseMediaType(cd[0])
	if err != nil || kind != "attachment" || params["filename"] != name {
		t.Errorf("Content-Disposition %q = %q %q (%v), want attachment with filename %q", cd[0], kind, params["filename"], err, name)
	}
}
