package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// consoleRec is a build with 250 console lines "line 1" … "line 250".
func consoleRec(t *testing.T) []byte {
	r := rec{job: "noisy", uuid: testUUID(1), start: t0}
	for i := 1; i <= 250; i++ {
		msg := fmt.Sprintf("line %d", i)
		if i%50 == 0 {
			msg += " <b>MAKE ERROR</b>"
		}
		r.console = append(r.console, msg)
	}
	return r.encode(t)
}

// The console view shows the last 200 lines, everything on request, and
// only lines containing the filter (ignoring case). A plain GET is a whole
// page; htmx gets the panel, or only the lines for the filter form.
func TestConsoleView(t *testing.T) {
	env := newEnv(t)
	upload(t, env, consoleRec(t))
	view := buildURL("noisy", testUUID(1)) + "/console/view"

	html := page(t, env, view)
	assertContains(t, "console page", html,
		"<title>Console of job noisy 2025-03-01 10:00:00Z</title>",
		`<a href="`+view+`" aria-current="page">Console</a>`,
		`hx-get="`+view+`" hx-target="#console-output"`, `hx-replace-url="true"`, `data-history="typing"`,
		`<input type="radio" name="lines" value="tail" checked>`,
		"Showing 200 of 250 lines.",
		`<span class="console-n" aria-hidden="true">51</span><span class="console-time">50.000s</span>line 51</span>`,
		`line 250 &lt;b&gt;MAKE ERROR&lt;/b&gt;`)
	assertLacks(t, "console page", html, ">line 50 ", ">line 1</span>", "<b>MAKE")

	html = page(t, env, view+"?lines=all")
	assertContains(t, "everything", html, "Showing 250 of 250 lines.", ">line 1</span>", `value="all" checked`)

	html = page(t, env, view+"?q="+url.QueryEscape("make error"))
	assertContains(t, "filtered", html, `Showing 5 of 5 lines containing “make error” (250 in all).`,
		">line 50 &lt;b&gt;", `value="make error"`)
	assertLacks(t, "filtered", html, ">line 51</span>")

	// htmx: the lazy panel for the build page, without the page frame and
	// without pushing the console URL into the build page's history.
	r := get(t, env, view, "HX-Request", "true")
	body := string(r.Body)
	if r.Status != http.StatusOK || !strings.HasPrefix(body, `<form class="console-filter"`) {
		t.Fatalf("panel: status %d\n%s", r.Status, body)
	}
	assertLacks(t, "panel", body, "<html", "hx-push-url", "hx-replace-url", "Link to these lines")
	assertContains(t, "panel", body, `<div id="console-output"`, "Console page</a>")

	// The filter form swaps only the lines.
	r = get(t, env, view+"?q=line+7&lines=all", "HX-Request", "true", "HX-Target", "console-output")
	body = string(r.Body)
	if r.Status != http.StatusOK || !strings.HasPrefix(body, `<div id="console-output"`) {
		t.Fatalf("lines: status %d\n%s", r.Status, body)
	}
	// line 7 and 70–79.
	// On the build page the filter is not in the address, so the lines
	// link to the console page that shows them.
	assertContains(t, "lines", body, "Showing 11 of 11 lines containing “line 7” (250 in all).",
		`<a href="`+view+`?lines=all&amp;q=line&#43;7">Link to these lines</a>`)
	if r.Header.Get("Vary") == "" || !strings.Contains(r.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary %q lacks HX-Request", r.Header.Get("Vary"))
	}
}

// A console of long lines is cut by bytes, not only by lines: "everything"
// stops at 1 MiB of text and says so with a link to the plain text, and
// the tail keeps as many of the last lines as fit the same bound.
func TestConsoleViewByteLimit(t *testing.T) {
	env := newEnv(t)
	r := rec{job: "wordy", uuid: testUUID(1), start: t0}
	for i := 1; i <= 40; i++ {
		r.console = append(r.console, fmt.Sprintf("line %d %s", i, strings.Repeat("w", 30000)))
	}
	upload(t, env, r.encode(t))
	view := buildURL("wordy", testUUID(1)) + "/console/view"
	raw := buildURL("wordy", testUUID(1)) + "/console"

	html := page(t, env, view+"?lines=all")
	assertContains(t, "everything", html, "Showing 34 of 40 lines.", ">line 1 www",
		`Cut off here: the <a href="`+raw+`">plain text</a> has everything.`)
	assertLacks(t, "everything", html, ">line 35 www")

	html = page(t, env, view)
	assertContains(t, "tail", html, "Showing 34 of 40 lines.", ">line 40 www", ">line 7 www")
	assertLacks(t, "tail", html, ">line 6 www", "Cut off here")
}

// An empty console says so.
func TestConsoleViewEmpty(t *testing.T) {
	env := newEnv(t)
	upload(t, env, rec{job: "quiet", uuid: testUUID(1), start: t0}.encode(t))
	assertContains(t, "empty console", page(t, env, buildURL("quiet", testUUID(1))+"/console/view"), "The console is empty.")
}

// The vector's console (with the sidecar's lines) shows in the view.
func TestConsoleViewVector(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	sc := sidecarOf(t, "success_hvt")
	html := page(t, env, buildURL("hello-hvt", uuidSuccess)+"/console/view")
	lines := strings.Split(strings.TrimSuffix(sc.Derived.ConsoleTxt.Text, "\n"), "\n")
	assertContains(t, "console view", html, fmt.Sprintf("Showing %d of %d lines.", len(lines), len(lines)))
	for _, l := range lines {
		ts, msg, _ := strings.Cut(l, ":")
		assertContains(t, "console view", html, `<span class="console-time">`+ts+`</span>`+htmlEscape(msg)+`</span>`)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}
