package handlers_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// stealAdmin is an artifact's script that does what issue #11 reproduced:
// read the CSRF token from /admin/users with the admin's session and create
// another admin.
const stealAdmin = `<!doctype html><title>report</title><script>
fetch("/admin/users").then(r => r.text()).then(t => {
  const m = t.match(/name="csrf_token" value="([^"]+)"/);
  const body = new URLSearchParams({csrf_token: m[1], username: "mallory", password: "mallory-password", admin: "true"});
  return fetch("/admin/users", {method: "POST", body});
}).then(() => { document.title = "pwned"; });
</script>`

// An admin who opens an uploaded HTML or SVG artifact does not run its
// script on the site's origin: the artifact cannot use the admin's session
// to create another admin (issue #11). A text artifact is still shown, as
// text.
func TestBrowserArtifactCannotActAsAdmin(t *testing.T) {
	ctx := browsertest.New(t)
	env := newEnv(t)
	env.AddUser(t, "root", "rootpassword", false)
	if err := env.App.DB.SetAdmin(t.Context(), "root", true); err != nil {
		t.Fatal(err)
	}
	uuid := testUUID(21)
	files := append(inputFiles("evil"),
		binary("bin/evil.hvt", "evil"),
		builder.File{Path: "report.html", Data: []byte(stealAdmin)},
		builder.File{Path: "logo.svg", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>` +
			strings.TrimSuffix(strings.SplitN(stealAdmin, "<script>", 2)[1], "</script>") + `</script></svg>`)},
		builder.File{Path: "notes.txt", Data: []byte(stealAdmin)},
	)
	upload(t, env, rec{job: "evil", uuid: uuid, start: t0, files: files}.encode(t))
	base := browsertest.Serve(t, env.App)
	build := base + buildURL("evil", uuid)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "rootpassword"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".site-header form[action=\"/logout\"]")),
	); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"report.html", "logo.svg"} {
		// The browser saves an attachment instead of showing it: the
		// navigation ends without a new document.
		err := chromedp.Do(ctx, chromedp.Navigate(build+"/f/"+name))
		if err != nil && !strings.Contains(err.Error(), "net::ERR_ABORTED") {
			t.Fatalf("open %s: %v", name, err)
		}
		// A script gets some time to do its work.
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := env.App.DB.UserByName(t.Context(), "mallory"); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("opening %s as admin created user mallory (err %v)", name, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if title := evalJS[string](t, ctx, "document.title"); title == "pwned" {
			t.Errorf("the script of %s ran", name)
		}
	}

	// Text is shown inline, as text: the markup in it is not parsed.
	if err := chromedp.Do(ctx, chromedp.Navigate(build+"/f/notes.txt")); err != nil {
		t.Fatal(err)
	}
	if ct := evalJS[string](t, ctx, "document.contentType"); ct != "text/plain" {
		t.Errorf("notes.txt shows as %q, want text/plain", ct)
	}
	if txt := evalJS[string](t, ctx, "document.body.textContent"); !strings.Contains(txt, `fetch("/admin/users")`) {
		t.Errorf("notes.txt shows %q, want its text", txt)
	}
	time.Sleep(time.Second)
	if _, err := env.App.DB.UserByName(t.Context(), "mallory"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("opening notes.txt as admin created user mallory (err %v)", err)
	}
}

// Every kind of page works under its Content-Security-Policy: the browser
// reports no violation while pages load, htmx swaps fragments and the
// forms are used, and the styles apply (issue #11).
func TestBrowserPagesKeepTheirPolicy(t *testing.T) {
	ctx := browsertest.New(t)
	console := browsertest.WatchConsole(t, ctx)
	env := newEnv(t)
	env.AddUser(t, "root", "rootpassword", false)
	if err := env.App.DB.SetAdmin(t.Context(), "root", true); err != nil {
		t.Fatal(err)
	}
	uploadVectors(t, env, "success_hvt", "compare_left", "compare_right", "failed_exit1")
	upload(t, env, consoleRec(t))
	base := browsertest.Serve(t, env.App)

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	open := func(url, visible string) {
		t.Helper()
		step(url, chromedp.Navigate(base+url), chromedp.WaitVisible(chromedp.CSS(visible)))
		if err := browsertest.WaitHTMX(ctx); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}

	// Overview pages; the front page's filter swaps the job list.
	open("/", "#jobs")
	if got := evalJS[string](t, ctx, `getComputedStyle(document.querySelector(".htmx-indicator")).opacity`); got != "0" {
		t.Errorf("an idle htmx indicator has opacity %q, want 0 (app.css)", got)
	}
	step("filter", chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "hello"))
	waitFor(t, ctx, "the filtered jobs", `location.search.includes("hello")`)
	open("/job/hello-hvt", "table")
	open("/failed-builds", "main")

	// The build page loads its console and frames its visualizations.
	open(buildURL("noisy", testUUID(1)), "#build")
	step("console", chromedp.ScrollIntoView(chromedp.CSS("#console")))
	waitFor(t, ctx, "the console", `document.querySelectorAll("#console-output .console-line").length === 200`)

	// The comparison swaps its direction in place.
	open("/compare/"+uuidLeft+"/"+uuidRight, "#compare")
	step("reverse", chromedp.Click(chromedp.CSS("#compare-reverse")))
	waitFor(t, ctx, "the reversed comparison", `document.querySelector("#compare").dataset.left === "`+uuidRight+`"`)

	// Logging in, the admin pages and their htmx forms.
	open("/login", "#login-username")
	step("login",
		chromedp.SendKeys(chromedp.CSS("#login-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "rootpassword"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".site-header form[action=\"/logout\"]")),
	)
	open("/admin/users", "table.users")
	step("create user",
		chromedp.SendKeys(chromedp.CSS("#new-username"), "a:b"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "long enough"),
		chromedp.Click(chromedp.CSS(`#create-user button[type="submit"]`)),
	)
	waitFor(t, ctx, "the inline error", `(document.querySelector("#new-username-error") || {textContent: ""}).textContent.includes("cannot contain")`)
	open("/admin/users/"+testUser, "#access-job")
	step("job names", chromedp.SendKeys(chromedp.CSS("#access-job"), "hello"))
	waitFor(t, ctx, "job-name suggestions", `document.querySelectorAll("#job-names option").length > 0`)

	// Error pages.
	open("/no/such/page", "main")

	// The browser reports a violation asynchronously; leave it a moment.
	time.Sleep(500 * time.Millisecond)
	if v := console.Violations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations:\n%s\nconsole:\n%s", strings.Join(v, "\n"), strings.Join(console.All(), "\n"))
	}
}
