package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// waitFor polls a JavaScript predicate until it holds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " | " + document.title + " | " + (document.querySelector(".htmx-error") || {}).textContent`))
		t.Fatalf("waiting for %s: %v (page: %s)", what, err, state)
	}
}

func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// In a browser the compare page changes in place: swapping the direction,
// picking another build, switching the view and opening an opam-file diff
// update the content and the URL without loading a new page.
func TestCompareBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	env := compareEnv(t, "compare_left", "compare_right", "success_hvt")
	base := browsertest.Serve(t, env.App)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/compare/"+leftUUID+"/"+rightUUID),
		chromedp.WaitVisible(chromedp.CSS("#compare-reverse")),
	); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatal(err)
	}
	// A reload would drop this mark; in-place swaps keep it.
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}

	// Categories collapse and expand with their summary.
	const envOpen = `document.querySelector("#env-removed").closest("details").open`
	if !evalJS[bool](t, ctx, envOpen) {
		t.Error("the env-removed category is not expanded at first")
	}
	for _, want := range []bool{false, true} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#env-removed"))); err != nil {
			t.Fatal(err)
		}
		if got := evalJS[bool](t, ctx, envOpen); got != want {
			t.Errorf("after a click on its summary the category is open = %v, want %v", got, want)
		}
	}

	// Open the root package's opam-file diff: it loads inline.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("details.opam-diff > summary"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the opam-file diff", `(document.querySelector("details.opam-diff pre") || {textContent: ""}).textContent.includes("+++ right/mirage-unikernel-hello-hvt/opam")`)

	// Swap the direction.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#compare-reverse"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the reversed comparison", `document.querySelector("#compare").dataset.left === "`+rightUUID+`"`)
	if got := evalJS[string](t, ctx, `location.pathname`); got != "/compare/"+rightUUID+"/"+leftUUID {
		t.Errorf("after swap the URL is %s", got)
	}
	if got := evalJS[string](t, ctx, `document.title`); got != "Comparing builds "+rightUUID+" and "+leftUUID {
		t.Errorf("after swap the title is %q", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector(".site-header nav[aria-label=breadcrumb]").textContent`); !strings.Contains(got, "hello-hvt@2024-09-06 13:20:11Z and hello-hvt@2024-09-05") {
		t.Errorf("after swap the breadcrumbs say %q", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("#env-added").closest("details").textContent`); !strings.Contains(got, "LANG") {
		t.Errorf("after swap env-added is %q, want LANG", got)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("main#main").length + document.querySelectorAll("#compare").length`); n != 2 {
		t.Errorf("swap nested the page: %d main/#compare elements, want 2", n)
	}

	// Show unchanged entries too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#compare-all"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the unchanged entries", `!!document.querySelector("#env-unchanged")`)
	if got := evalJS[string](t, ctx, `location.pathname + location.search`); got != "/compare/"+rightUUID+"/"+leftUUID+"?all=1" {
		t.Errorf("after showing everything the URL is %s", got)
	}

	// Pick another build of the job as the left side.
	evalJS[chromedp.Void](t, ctx, `(() => {
		const s = document.querySelector("select[name=left]");
		s.value = "`+successUUID+`";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`)
	waitFor(t, ctx, "the picked comparison", `document.querySelector("#compare").dataset.left === "`+successUUID+`"`)
	if got := evalJS[string](t, ctx, `location.pathname + location.search`); got != "/compare/"+successUUID+"/"+leftUUID+"?all=1" {
		t.Errorf("after picking the URL is %s", got)
	}
	if got := evalJS[string](t, ctx, `document.querySelector("select[name=left]").value`); got != successUUID {
		t.Errorf("the picker shows %s after picking", got)
	}
	// success_hvt and compare_left had the same inputs.
	if got := evalJS[string](t, ctx, `document.querySelector("#compare .notice").textContent`); !strings.Contains(got, "No differences") {
		t.Errorf("identical inputs: notice %q", got)
	}
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page was reloaded (%v)", err)
	}

	// Back goes to the previous comparison.
	if err := chromedp.Do(ctx, chromedp.NavigateBack()); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the previous comparison after Back", `location.pathname === "/compare/`+rightUUID+`/`+leftUUID+`" && document.querySelector("#compare").dataset.left === "`+rightUUID+`"`)
}
