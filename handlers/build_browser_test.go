package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// In a browser the build page loads the console when it scrolls into view,
// filters it as you type and switches between the last 200 lines and
// everything, all without leaving the page.
func TestBuildPageConsoleBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	env := newEnv(t)
	upload(t, env, consoleRec(t))
	base := browsertest.Serve(t, env.App)

	wait := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " | " + (document.querySelector("#console") || {}).innerHTML`))
			t.Fatalf("waiting for %s: %v (page: %.2000s)", what, err, state)
		}
	}
	lines := `document.querySelectorAll("#console-output .console-line").length`

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+buildURL("noisy", testUUID(1))),
		chromedp.WaitVisible(chromedp.CSS("#build")),
	); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#console"))); err != nil {
		t.Fatal(err)
	}
	wait("the last 200 lines", lines+` === 200`)

	// Everything.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#console input[value=all]`))); err != nil {
		t.Fatal(err)
	}
	wait("all lines", lines+` === 250`)

	// Type a filter: after the debounce only matching lines remain.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#console input[name=q]`), "make error")); err != nil {
		t.Fatal(err)
	}
	wait("the filtered lines", lines+` === 5 && document.querySelector(".console-summary").textContent.includes("5 of 5 lines containing")`)

	// The build page stayed where it was.
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page was reloaded (%v)", err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || got != buildURL("noisy", testUUID(1)) {
		t.Errorf("URL %q (%v), want the build page's", got, err)
	}
}

// In a browser "Show more artifacts" appends the next artifacts to the list
// in place, until all are shown, without a Content-Security-Policy
// violation.
func TestBuildPageMoreArtifactsBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	console := browsertest.WatchConsole(t, ctx)
	env := newEnv(t)
	uuid := testUUID(52)
	upload(t, env, manyArtifacts(t, uuid, 449)) // 450 with the main binary
	base := browsertest.Serve(t, env.App)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+buildURL("many", uuid)),
		chromedp.WaitVisible(chromedp.CSS("#build")),
	); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}
	rows := `dl.artifacts > dt:not(.more-artifacts)`
	for _, want := range []int{200, 400, 450} {
		if err := browsertest.WaitCount(ctx, rows, want, 10*time.Second); err != nil {
			n, _ := browsertest.Count(ctx, rows)
			t.Fatalf("waiting for %d artifacts: %v (%d shown)", want, err, n)
		}
		if want == 450 {
			break
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.more-artifacts a`))); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := browsertest.Count(ctx, `.more-artifacts`); err != nil || n != 0 {
		t.Errorf("after the last artifacts %d links to more (%v), want none", n, err)
	}
	if n, err := browsertest.Count(ctx, `dl.artifacts > dd`); err != nil || n != 450 {
		t.Errorf("%d hashes shown (%v), want 450", n, err)
	}
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page was reloaded (%v)", err)
	}
	time.Sleep(300 * time.Millisecond)
	if v := console.Violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations:\n%s", strings.Join(v, "\n"))
	}
}
