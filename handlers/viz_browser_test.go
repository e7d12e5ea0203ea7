package handlers_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// In a browser the graph is interactive under the page's strict policy:
// clicking a package shows its dependencies in the side panel, typing in
// the filter highlights the matching packages, both without reloading the
// page; the treemap zooms into a library and back. No Content-Security-
// Policy violation, no serious accessibility fault.
func TestVizBrowser(t *testing.T) {
	ctx := browsertest.NewTimeout(t, 2*browsertest.Timeout)
	console := browsertest.WatchConsole(t, ctx)
	env := vizEnv(t)
	base := browsertest.Serve(t, env.App)
	build := buildURL("viz", testUUID(1))

	wait := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " | " + document.querySelector("main").innerHTML.slice(0, 3000)`))
			t.Fatalf("waiting for %s: %v (page: %s)", what, err, state)
		}
	}
	open := func(url string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.WaitHTMX(ctx); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.MarkPage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	notReloaded := func(step string) {
		t.Helper()
		if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
			t.Errorf("%s: the page was reloaded (%v)", step, err)
		}
	}
	axe := func(step string) {
		t.Helper()
		vs, err := browsertest.Axe(ctx)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		for _, v := range vs {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s", step, v)
			}
		}
	}

	dir := browsertest.ScreenshotDir(t)
	// look checks the page in both themes: axe (contrast differs by
	// theme) and a screenshot for a reviewer.
	look := func(name string) {
		t.Helper()
		for _, theme := range []string{"light", "dark"} {
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.setAttribute("data-theme", "`+theme+`"), true`)); err != nil {
				t.Fatal(err)
			}
			// The screenshot first: it waits for the theme's transitions,
			// which axe would otherwise measure half done.
			if err := browsertest.Screenshot(ctx, dir, name+"-"+theme); err != nil {
				t.Error(err)
			}
			axe(name + " (" + theme + ")")
		}
	}

	// The build page's previews are pictures that loaded.
	open(build)
	wait("the previews", `[...document.querySelectorAll(".viz-preview img")].length === 2 &&
		[...document.querySelectorAll(".viz-preview img")].every(i => { i.scrollIntoView(); return i.complete && i.naturalWidth > 0 })`)
	look("build")

	// The graph: click a package in the drawing.
	open(build + "/vizdependencies")
	axe("graph")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#p-mirage-runtime circle`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait("the side panel", `(() => { const p = document.querySelector("#viz-panel");
		return p && p.querySelector("h2") && p.querySelector("h2").textContent.startsWith("mirage-runtime") &&
			[...p.querySelectorAll(".viz-deps a")].map(a => a.textContent).join(",") === "dune,fmt,logs,lwt,ocaml,mirage-unikernel-hello-hvt" })()`)
	wait("the package marked in the drawing", `document.querySelector("#p-mirage-runtime").classList.contains("sel") &&
		document.querySelectorAll("#viz-figure line.on").length === 6`)
	notReloaded("click a package")
	wait("the package's URL", `location.search === "?package=mirage-runtime"`)
	// A dependency in the panel selects that package.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viz-panel .viz-deps a[href$="package=lwt"]`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait("lwt in the panel", `document.querySelector("#viz-panel h2").textContent.startsWith("lwt")`)
	notReloaded("click a dependency")

	// "Actual size" shows the drawing at its own size, to scroll.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viz-zoom`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait("the actual size", `(() => { const s = document.querySelector(".viz-canvas svg");
		return s.getBoundingClientRect().width === Number(s.getAttribute("width")) })()`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viz-zoom`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}

	// Type into the filter: the matching nodes are highlighted and listed.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#viz-filter input[name=q]`), "ocaml")); err != nil {
		t.Fatal(err)
	}
	wait("the highlighted packages", `document.querySelectorAll("#viz-figure g.n.hit").length === 3 &&
		document.querySelector(".viz-matches").textContent.includes("3 packages match")`)
	notReloaded("filter")
	look("graph-selected-filtered")

	// The treemap: zoom into a library and back.
	open(build + "/viztreemap")
	look("treemap")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viz-map a.zoom rect`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait("the library's modules", `document.querySelector("#viz-map").textContent.includes("Modules of mirage-crypto") &&
		document.querySelectorAll("#viz-map a.zoom").length === 0 && location.search === "?lib=mirage-crypto"`)
	notReloaded("zoom in")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#viz-map a.viz-back`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	wait("all libraries again", `document.querySelectorAll("#viz-map a.zoom").length === 1 && !document.querySelector("#viz-map .viz-back")`)
	notReloaded("zoom out")

	if v := console.Violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
}
