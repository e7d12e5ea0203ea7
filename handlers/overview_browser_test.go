package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// Typing in the front page's filter narrows the job list in place (no
// reload) and the address bar follows, so the state is a shareable link.
func TestBrowserFrontFilter(t *testing.T) {
	ctx := browsertest.New(t)
	env := apptest.New(t)
	ovEnv(t, env,
		ovBuild{Job: "alpha", N: 1, Bin: "a"},
		ovBuild{Job: "beta", N: 2, Bin: "b"},
		ovBuild{Job: "betamax", N: 3, Bin: "c", Platform: "freebsd-14"},
		ovBuild{Job: "gamma", N: 4, Bin: "d"},
	)
	base := browsertest.Serve(t, env.App)
	const rows = "#jobs tr.job-first"

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatalf("htmx did not load: %v", err)
	}
	if n, err := browsertest.Count(ctx, rows); err != nil || n != 4 {
		t.Fatalf("jobs before filtering: %d, %v", n, err)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "bet")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitCount(ctx, rows, 2, 5*time.Second); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS("#jobs")))
		t.Fatalf("list not narrowed to beta, betamax: %v\n%s", err, html)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "q=bet") {
		t.Errorf("address %q does not carry the filter", loc)
	}
	// A platform chip narrows further, still without a reload.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label.chip:has(input[value="freebsd-14"])`))); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitCount(ctx, rows, 1, 5*time.Second); err != nil {
		t.Fatalf("platform chip did not narrow to betamax: %v", err)
	}
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page reloaded (%v)", err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "platform=freebsd-14") {
		t.Errorf("address %q does not carry the platform", loc)
	}
	// The shared link shows the same list as a plain page.
	r := env.Get(t, strings.TrimPrefix(loc, base))
	if got := ovCount(r.Body, `class="job-first"`); got != 1 {
		t.Errorf("%s as a page: %d jobs", loc, got)
	}
}

// Scrolling to the end of the job page loads the next 50 rows in place.
func TestBrowserJobScroll(t *testing.T) {
	ctx := browsertest.New(t)
	env := apptest.New(t)
	var builds []ovBuild
	for i := 1; i <= 120; i++ {
		builds = append(builds, ovBuild{Job: "many", N: i, Bin: "out " + itoa(i)})
	}
	ovEnv(t, env, builds...)
	base := browsertest.Serve(t, env.App)
	const rows = "#build-rows tr.build-row"

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/job/many")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatalf("htmx did not load: %v", err)
	}
	if n, err := browsertest.Count(ctx, rows); err != nil || n != 50 {
		t.Fatalf("rows at first: %d, %v", n, err)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{100, 120} {
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("tr.more-rows"))); err != nil {
			t.Fatal(err)
		}
		if err := browsertest.WaitCount(ctx, rows, want, 5*time.Second); err != nil {
			n, _ := browsertest.Count(ctx, rows)
			t.Fatalf("after scrolling: %d rows, want %d: %v", n, want, err)
		}
	}
	if n, _ := browsertest.Count(ctx, "tr.more-rows"); n != 0 {
		t.Errorf("%d 'older builds' rows left at the end", n)
	}
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page reloaded (%v)", err)
	}
	// The oldest build is last: the order held across the loads.
	last, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('#build-rows input[name="left"]')].pop().value`))
	if err != nil || last != ovUUID(1) {
		t.Errorf("last row %q, want %s (%v)", last, ovUUID(1), err)
	}
}

// Typing in the filter adds one history entry, not one per request, and the
// address carries no empty parameter: Back returns to the list before typing.
func TestBrowserFrontFilterHistory(t *testing.T) {
	ctx := browsertest.New(t)
	env := apptest.New(t)
	ovEnv(t, env,
		ovBuild{Job: "alpha", N: 1, Bin: "a"},
		ovBuild{Job: "beta", N: 2, Bin: "b"},
		ovBuild{Job: "betamax", N: 3, Bin: "c", Platform: "freebsd-14"},
	)
	base := browsertest.Serve(t, env.App)
	const rows = "#jobs tr.job-first"
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatalf("htmx did not load: %v", err)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[int]("history.length"))
	if err != nil {
		t.Fatal(err)
	}
	// Two requests in one burst of typing: "bet", then "betam".
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "bet")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitCount(ctx, rows, 2, 5*time.Second); err != nil {
		t.Fatalf("list not narrowed to beta, betamax: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "am")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitCount(ctx, rows, 1, 5*time.Second); err != nil {
		t.Fatalf("list not narrowed to betamax: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/?q=betam") {
		t.Errorf("address %q, want …/?q=betam (no empty parameters)", loc)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[int]("history.length"))
	if err != nil {
		t.Fatal(err)
	}
	if after != before+1 {
		t.Errorf("history grew from %d to %d entries while typing, want one more", before, after)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("history.back(), true")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitCount(ctx, rows, 3, 5*time.Second); err != nil {
		t.Errorf("Back did not return to the unfiltered list: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != base+"/" {
		t.Errorf("after Back the address is %q, want %q", loc, base+"/")
	}
}
