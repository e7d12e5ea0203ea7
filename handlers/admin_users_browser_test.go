package handlers_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/browsertest"
)

// In a browser: the login form leads back to the admin page asked for, row
// actions and form errors update in place, and the access form suggests job
// names as one types.
func TestAdminUsersBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	env := apptest.New(t)
	env.AddUser(t, "root", "rootpassword", false)
	if err := env.App.DB.SetAdmin(t.Context(), "root", true); err != nil {
		t.Fatal(err)
	}
	env.AddUser(t, "ann", "annpassword", true)
	env.AddUser(t, "builder", "builderpw", false)
	if r := env.Upload(t, "/upload", "builder", "builderpw", apptest.Vector(t, "success_hvt.full")); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	base := browsertest.Serve(t, env.App)

	// Visitors are sent to the login form, and back after it.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), "rootpassword"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.users")),
	); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.MarkPage(ctx); err != nil {
		t.Fatal(err)
	}

	// Make ann unrestricted from the list: the row changes in place.
	restricted := `form[action="/admin/users/ann/restricted"]`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(restricted+" button"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the updated row", `document.querySelector('`+restricted+` input[name="restricted"]').value === "true"`)
	if u, err := env.App.DB.UserByName(t.Context(), "ann"); err != nil || u.Restricted {
		t.Errorf("ann after the click: %+v, %v; want unrestricted", u, err)
	}

	// An invalid name is reported next to the field.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#new-username"), "a:b"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "long enough"),
		chromedp.Click(chromedp.CSS(`#create-user button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the inline error", `(document.querySelector("#new-username-error") || {textContent: ""}).textContent.includes("cannot contain")`)
	if same, err := browsertest.NotReloaded(ctx); err != nil || !same {
		t.Errorf("the page was reloaded by in-place actions (%v)", err)
	}

	// The access form suggests job names.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/users/ann"),
		chromedp.WaitVisible(chromedp.CSS("#access-job")),
	); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitHTMX(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#access-job"), "hello")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "job-name suggestions", `[...document.querySelectorAll("#job-names option")].some(o => o.value === "hello-hvt")`)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#access-job"), "hello-hvt"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/users/ann/access"] button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the job in the access list", `(document.querySelector(".access-list") || {textContent: ""}).textContent.includes("hello-hvt")`)
	if ok, _ := env.App.DB.HasAccess(t.Context(), userID(t, env, "ann"), "hello-hvt"); !ok {
		t.Error("ann has no access to hello-hvt")
	}
}

func userID(t *testing.T, env *apptest.Env, name string) int64 {
	t.Helper()
	u, err := env.App.DB.UserByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
