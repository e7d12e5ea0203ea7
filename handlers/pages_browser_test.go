package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// Every kind of page, as a reviewer sees it: at 1280 and 390 px, light and
// dark, with a screenshot of each (the folder is named in the output) and
// axe-core's WCAG 2.1 A/AA check, which must find nothing serious or
// critical. One browser for all of them keeps it fast.
func TestBrowserPagesLookAndAccessibility(t *testing.T) {
	ctx := browsertest.NewTimeout(t, 3*time.Minute)
	start := time.Now()
	env := apptest.New(t)
	// The rest of an input, so that builds 1 and 2 can be compared.
	env1 := []builder.File{{Path: "build-environment", Data: []byte("PATH=/bin\nTZ=UTC\n")},
		{Path: "system-packages", Data: []byte("libc6 2.36\n")}}
	env2 := []builder.File{{Path: "build-environment", Data: []byte("PATH=/usr/bin\nTZ=UTC\n")},
		{Path: "system-packages", Data: []byte("libc6 2.37\n")}}
	ovEnv(t, env,
		ovBuild{Job: "hello-hvt", N: 1, Bin: "hello v1", Switch: true, Files: env1, Readme: "# hello\n\nA unikernel that says hello.\n"},
		ovBuild{Job: "hello-hvt", N: 2, Bin: "hello v2", Switch: true, Files: env2, Readme: "# hello\n\nA unikernel that says hello.\n"},
		ovBuild{Job: "hello-hvt", N: 3, Platform: "ubuntu-24.04", Bin: "hello v1", Switch: true},
		ovBuild{Job: "broken", N: 4, Result: builder.Result{Kind: builder.Exited, Code: 1}},
		ovBuild{Job: "empty", N: 5},
	)
	t.Logf("seeded in %s", time.Since(start))
	base := browsertest.Serve(t, env.App)
	dir := browsertest.ScreenshotDir(t)

	pages := []struct{ name, path string }{
		{"front", "/"},
		{"all-builds", "/all-builds"},
		{"job", "/job/hello-hvt"},
		{"build", "/job/hello-hvt/build/" + ovUUID(2)},
		{"console", "/job/hello-hvt/build/" + ovUUID(2) + "/console/view"},
		{"compare", "/compare/" + ovUUID(1) + "/" + ovUUID(2)},
		{"failed-builds", "/failed-builds"},
		{"job-reproducibility", "/job/hello-hvt/reproducibility"},
		{"reproducibility", "/reproducibility"},
		{"login", "/login"},
		{"api", "/api"},
		{"not-found", "/job/hello-hvx"},
	}
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+p.path)); err != nil {
				t.Fatalf("%s: %v", p.path, err)
			}
			if err := browsertest.WaitHTMX(ctx); err != nil {
				t.Fatalf("%s: htmx did not load: %v", p.path, err)
			}
			for _, theme := range []string{"light", "dark"} {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
					`document.documentElement.setAttribute("data-theme", "`+theme+`"), true`)); err != nil {
					t.Fatal(err)
				}
				name := p.name + "-" + itoa(int(width)) + "-" + theme
				if err := browsertest.Screenshot(ctx, dir, name); err != nil {
					t.Error(err)
				}
				// Colours differ by theme, layout by width: axe at 1280 px in
				// both themes and at 390 px in one keeps the test fast.
				if width != 1280 && theme == "dark" {
					continue
				}
				vs, err := browsertest.Axe(ctx)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, v := range vs {
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Errorf("%s (%s): %s", name, p.path, v)
					} else {
						t.Logf("%s (%s): minor: %s", name, p.path, v)
					}
				}
			}
		}
	}
	// The skip link leads past the header.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("body a").textContent`))
	if err != nil || !strings.Contains(first, "Skip to content") {
		t.Errorf("first link of the page is %q (%v), want the skip link", first, err)
	}
	// Leave the site so that no connection holds up the server's shutdown.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
}
