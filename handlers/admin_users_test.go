package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// recordFor is a small valid upload of job; n varies the UUID.
func recordFor(t *testing.T, job string, n byte) []byte {
	t.Helper()
	e := &builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: job, Script: "true", Platform: "debian-12"},
		UUID:   [16]byte{0x5e, 0x55, 0x10, 0x4e, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n},
		Start:  time.UnixMilli(1700000000000).UTC(),
		Finish: time.UnixMilli(1700000060000).UTC(),
	}, Files: []builder.File{{Path: "bin/" + job, Data: []byte("binary of " + job)}}}
	b, err := builder.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, r.body)
	}
}

func mustContain(t *testing.T, what string, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s: body lacks %q\n%s", what, p, r.body)
		}
	}
}

// The acceptance path of the issue: an admin creates an uploader in the
// browser, gives it one job, and the uploader can upload exactly there;
// disabled, it cannot upload at all; a user with builds can only be disabled.
func TestAdminManagesUploaders(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	s.AddUser(t, "builder", "builderpw", false)
	mustStatus(t, "unrestricted upload", s.upload(t, "builder", "builderpw", apptest.Vector(t, "success_hvt.full")), http.StatusCreated)

	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	r := b.get(t, "/admin/users")
	mustStatus(t, "user list", r, http.StatusOK)
	mustContain(t, "user list", r, "root", "builder", "<td data-label=\"Builds\" class=\"num\">1</td>")
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("admin page Cache-Control %q, want no-store", cc)
	}

	// Create a restricted user through the form.
	r = b.submit(t, "/admin/users", url.Values{"username": {"alice"}, "password": {"alice-secret"}, "restricted": {"true"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users/alice" {
		t.Fatalf("create alice: %d to %q, want 303 to /admin/users/alice\n%s", r.status, r.header.Get("Location"), r.body)
	}
	alice := s.user(t, "alice")
	if !alice.Restricted || alice.Admin || alice.PasswordArgon2id == nil || !strings.HasPrefix(*alice.PasswordArgon2id, "$argon2id$") {
		t.Errorf("alice as stored: %+v; want restricted, not admin, argon2id", alice)
	}

	// Give access to hello-hvt, with the name suggested as one types.
	r = b.get(t, "/admin/job-names?job=hello", "HX-Request", "true")
	mustContain(t, "job suggestions", r, `<option value="hello-hvt">`)
	r = b.submit(t, "/admin/users/alice/access", url.Values{"job": {"hello-hvt"}})
	mustStatus(t, "grant hello-hvt", r, http.StatusSeeOther)
	mustContain(t, "alice's page", b.get(t, "/admin/users/alice"), `<a href="/job/hello-hvt">hello-hvt</a>`)
	r = b.submit(t, "/admin/users/alice/access", url.Values{"job": {"no-such-job"}})
	mustStatus(t, "grant an unknown job", r, http.StatusUnprocessableEntity)
	mustContain(t, "grant an unknown job", r, "There is no job named")

	mustStatus(t, "alice uploads to hello-hvt", s.upload(t, "alice", "alice-secret", apptest.Vector(t, "compare_left.full")), http.StatusCreated)
	mustStatus(t, "alice uploads to another job", s.upload(t, "alice", "alice-secret", recordFor(t, "other-job", 1)), http.StatusForbidden)
	mustContain(t, "list after alice's upload", b.get(t, "/admin/users"), `<a href="/admin/users/alice">alice</a>`)

	// Revoked, the job is closed to alice again.
	mustStatus(t, "revoke hello-hvt", b.submit(t, "/admin/users/alice/access/remove", url.Values{"job": {"hello-hvt"}}), http.StatusSeeOther)
	if r := b.get(t, "/admin/users/alice"); strings.Contains(r.body, `<a href="/job/hello-hvt">`) {
		t.Error("hello-hvt still on alice's access list")
	}
	mustStatus(t, "alice uploads after the revocation", s.upload(t, "alice", "alice-secret", apptest.Vector(t, "compare_right.full")), http.StatusForbidden)

	// A user with builds: removal refused, pointing to disable.
	r = b.get(t, "/admin/users/alice/remove")
	mustContain(t, "remove page of alice", r, "cannot be removed", "Disable alice")
	r = b.submit(t, "/admin/users/alice/remove", url.Values{})
	mustStatus(t, "remove alice", r, http.StatusConflict)
	mustContain(t, "remove alice", r, "Disable them instead")
	s.user(t, "alice")

	// Disabled, alice's next upload is refused.
	mustStatus(t, "disable alice", b.submit(t, "/admin/users/alice/disable", url.Values{}), http.StatusSeeOther)
	mustStatus(t, "upload of disabled alice", s.upload(t, "alice", "alice-secret", apptest.Vector(t, "compare_right.full")), http.StatusUnauthorized)
	mustContain(t, "alice's page when disabled", b.get(t, "/admin/users/alice"), "Enable with a new password")

	// Enabling needs a new password.
	mustStatus(t, "enable alice", b.submit(t, "/admin/users/alice/password", url.Values{"password": {"alice-again"}}), http.StatusSeeOther)
	if u := s.user(t, "alice"); u.DisabledAt != nil || u.Disabled() {
		t.Errorf("alice after enabling: %+v", u)
	}
	mustStatus(t, "upload with the old password", s.upload(t, "alice", "alice-secret", recordFor(t, "hello-hvt", 2)), http.StatusUnauthorized)

	// A user without builds can be removed.
	mustStatus(t, "create bob", b.submit(t, "/admin/users", url.Values{"username": {"bob"}, "password": {"bob-secret"}}), http.StatusSeeOther)
	mustContain(t, "remove page of bob", b.get(t, "/admin/users/bob/remove"), "This cannot be undone")
	r = b.submit(t, "/admin/users/bob/remove", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users" {
		t.Errorf("remove bob: %d to %q, want 303 to /admin/users", r.status, r.header.Get("Location"))
	}
	if _, err := s.App.DB.UserByName(t.Context(), "bob"); err == nil {
		t.Error("bob still exists")
	}
	if r := b.get(t, "/admin/users/bob"); r.status != http.StatusNotFound {
		t.Errorf("page of a removed user: status %d, want 404", r.status)
	}
}

// Every admin POST needs the session's own CSRF token: without it, or with
// another session's, the answer is 403 and nothing changes.
func TestAdminCSRF(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	s.addAdmin(t, "other", "otherpassword")
	s.AddUser(t, "builder", "builderpw", false)
	mustStatus(t, "upload", s.upload(t, "builder", "builderpw", recordFor(t, "hello", 1)), http.StatusCreated)
	s.AddUser(t, "victim", "victimpw1", true)

	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	o := s.browser(t)
	o.mustLogin(t, "other", "otherpassword")
	foreign := o.csrf(t)
	own := b.csrf(t)
	if foreign == own {
		t.Fatal("two sessions share a CSRF token")
	}

	before := snapshot(t, s)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users", url.Values{"username": {"mallory"}, "password": {"mallorypw"}, "admin": {"true"}}},
		{"/admin/users/victim/password", url.Values{"password": {"attacker-pw"}}},
		{"/admin/users/victim/disable", nil},
		{"/admin/users/victim/restricted", url.Values{"restricted": {"false"}}},
		{"/admin/users/victim/admin", url.Values{"admin": {"true"}}},
		{"/admin/users/victim/remove", nil},
		{"/admin/users/victim/access", url.Values{"job": {"hello"}}},
		{"/admin/users/victim/access/remove", url.Values{"job": {"hello"}}},
	} {
		for _, token := range []string{"", foreign, own + "x"} {
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if token != "" {
				form.Set("csrf_token", token)
			}
			if r := b.post(t, tc.path, form); r.status != http.StatusForbidden {
				t.Errorf("POST %s with token %q: status %d, want 403", tc.path, token, r.status)
			}
		}
		// The header is as good as the field, but must be right too.
		if r := b.post(t, tc.path, tc.form, "X-CSRF-Token", foreign); r.status != http.StatusForbidden {
			t.Errorf("POST %s with another session's header token: status %d, want 403", tc.path, r.status)
		}
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("state changed by refused requests:\nbefore %s\nafter  %s", before, after)
	}
	// The right token works (the control experiment).
	mustStatus(t, "grant with the right token", b.submit(t, "/admin/users/victim/access", url.Values{"job": {"hello"}}), http.StatusSeeOther)
}

// snapshot renders the accounts as text, to compare before and after.
func snapshot(t *testing.T, s *liveServer) string {
	t.Helper()
	users, err := s.App.DB.UserSummaries(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, u := range users {
		jobs, err := s.App.DB.UserJobs(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		pw := ""
		if u.PasswordArgon2id != nil {
			pw = *u.PasswordArgon2id
		}
		b.WriteString(u.Username + " " + pw + " " + strings.Join(jobs, ","))
		if u.Restricted {
			b.WriteString(" restricted")
		}
		if u.Admin {
			b.WriteString(" admin")
		}
		b.WriteString("; ")
	}
	return b.String()
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	for _, tc := range []struct {
		name, user, pw, want string
	}{
		{"short password", "ann", "short", "at least 8 characters"},
		{"empty name", "", "long enough", "Enter a user name"},
		{"colon", "a:b", "long enough", "cannot contain “:”"},
		{"control character", "a\x01b", "long enough", "control characters"},
		{"too long", strings.Repeat("x", 256), "long enough", "at most 255 bytes"},
		{"taken", "root", "long enough", "exists already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"username": {tc.user}, "password": {tc.pw}}
			// Without JavaScript: the whole page, with the message.
			r := b.submit(t, "/admin/users", form)
			mustStatus(t, "plain POST", r, http.StatusUnprocessableEntity)
			mustContain(t, "plain POST", r, "<html", tc.want, `aria-invalid="true"`)
			// With htmx: only the form, for the swap.
			r = b.submit(t, "/admin/users", form, "HX-Request", "true")
			mustStatus(t, "htmx POST", r, http.StatusUnprocessableEntity)
			mustContain(t, "htmx POST", r, `<section id="create-user">`, tc.want)
			if strings.Contains(r.body, "<html") {
				t.Error("htmx POST: answered with the whole page")
			}
		})
	}
	if users, _ := s.App.DB.UserSummaries(t.Context()); len(users) != 1 {
		t.Errorf("%d users after invalid forms, want 1", len(users))
	}
	// Names are escaped wherever they are shown.
	mustStatus(t, "create", b.submit(t, "/admin/users", url.Values{"username": {"<b>x</b>"}, "password": {"long enough"}}), http.StatusSeeOther)
	r := b.get(t, "/admin/users")
	if strings.Contains(r.body, "<b>x</b>") || !strings.Contains(r.body, "&lt;b&gt;x&lt;/b&gt;") {
		t.Error("user name not escaped in the list")
	}
	mustStatus(t, "page of a name with slashes and markup", b.get(t, "/admin/users/"+url.PathEscape("<b>x</b>")), http.StatusOK)
}

func TestAdminHtmxAndSelfProtection(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	s.AddUser(t, "ann", "annpassword", true)
	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")

	// A row action from the list answers the row alone to htmx.
	r := b.submit(t, "/admin/users/ann/restricted", url.Values{"restricted": {"false"}, "from": {"list"}}, "HX-Request", "true")
	mustStatus(t, "htmx toggle", r, http.StatusOK)
	if !strings.HasPrefix(r.body, "<tr>") || strings.Contains(r.body, "<html") {
		t.Errorf("htmx toggle: want a table row, got\n%s", r.body)
	}
	if s.user(t, "ann").Restricted {
		t.Error("ann still restricted")
	}
	// Without JavaScript: back to the list.
	r = b.submit(t, "/admin/users/ann/admin", url.Values{"admin": {"true"}, "from": {"list"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/users" {
		t.Errorf("plain toggle: %d to %q, want 303 to /admin/users", r.status, r.header.Get("Location"))
	}
	if !s.user(t, "ann").Admin {
		t.Error("ann is not admin")
	}
	// From the user page, htmx gets the user page's fragment.
	r = b.submit(t, "/admin/users/ann/password", url.Values{"password": {"short"}}, "HX-Request", "true")
	mustStatus(t, "short password", r, http.StatusUnprocessableEntity)
	mustContain(t, "short password", r, `<section id="user-page"`, "at least 8 characters")

	// Nobody demotes or disables themselves.
	mustStatus(t, "remove own admin flag", b.submit(t, "/admin/users/root/admin", url.Values{"admin": {"false"}}), http.StatusUnprocessableEntity)
	mustStatus(t, "disable oneself", b.submit(t, "/admin/users/root/disable", url.Values{}), http.StatusUnprocessableEntity)
	mustStatus(t, "remove oneself", b.submit(t, "/admin/users/root/remove", url.Values{}), http.StatusConflict)
	if u := s.user(t, "root"); !u.Admin || u.Disabled() {
		t.Errorf("root after refused self-changes: %+v", u)
	}

	// Disabling a user ends their sessions.
	a := s.browser(t)
	a.mustLogin(t, "ann", "annpassword")
	mustStatus(t, "disable ann", b.submit(t, "/admin/users/ann/disable", url.Values{}), http.StatusSeeOther)
	if r := a.get(t, "/admin/users"); r.status != http.StatusSeeOther {
		t.Errorf("disabled ann's session: status %d, want 303 to the login", r.status)
	}
}
