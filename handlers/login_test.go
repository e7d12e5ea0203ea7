package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/scrypt"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/db"
)

func TestLoginForm(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.AddUser(t, "ann", "annpassword", true)
	b := s.browser(t)

	r := b.get(t, "/login")
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /login: status %d, Cache-Control %q; want 200, no-store", r.status, r.header.Get("Cache-Control"))
	}
	for _, field := range []string{`name="username"`, `name="password"`, `name="csrf_token"`} {
		if !strings.Contains(r.body, field) {
			t.Errorf("login form lacks %s", field)
		}
	}

	r = b.login(t, "ann", "wrong password")
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong user name or password") || !strings.Contains(r.body, `value="ann"`) {
		t.Errorf("wrong password: status %d, want 401 with the message and the name kept\n%s", r.status, r.body)
	}
	if r.cookie(session.CookieName) != nil {
		t.Error("a failed login set a session cookie")
	}
	r = b.login(t, "nobody", "annpassword")
	if r.status != http.StatusUnauthorized {
		t.Errorf("unknown user: status %d, want 401", r.status)
	}

	// A form token from another browser (or none) is refused.
	other := s.browser(t)
	page := other.get(t, "/login")
	tok := csrfField.FindStringSubmatch(page.body)[1]
	for name, form := range map[string]url.Values{
		"no token":             {"username": {"ann"}, "password": {"annpassword"}},
		"another's token":      {"username": {"ann"}, "password": {"annpassword"}, "csrf_token": {tok}},
		"token without cookie": {"username": {"ann"}, "password": {"annpassword"}, "csrf_token": {tok}},
	} {
		client := b
		if name == "token without cookie" {
			client = s.browser(t)
		}
		if r := client.post(t, "/login", form); r.status != http.StatusForbidden || r.cookie(session.CookieName) != nil {
			t.Errorf("%s: status %d, session cookie %v; want 403 and none", name, r.status, r.cookie(session.CookieName))
		}
	}
}

func TestLoginRedirectsToNext(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	for _, tc := range []struct{ next, want string }{
		{"/admin/users/ann?x=1", "/admin/users/ann?x=1"},
		{"", "/"},
		{"//evil.example/", "/"},
		{`/\evil.example`, "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
	} {
		b := s.browser(t)
		r := b.login(t, "root", "rootpassword", "next", tc.next)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != tc.want {
			t.Errorf("next=%q: %d to %q, want 303 to %q", tc.next, r.status, r.header.Get("Location"), tc.want)
		}
	}

	// Anonymous visitors of /admin are sent to the login page, and back.
	b := s.browser(t)
	r := b.get(t, "/admin/users/ann?x=1")
	want := "/login?next=" + url.QueryEscape("/admin/users/ann?x=1")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
		t.Fatalf("anonymous GET /admin: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), want)
	}
	page := b.get(t, want)
	if !strings.Contains(page.body, `name="next" value="/admin/users/ann?x=1"`) {
		t.Errorf("login form does not carry next:\n%s", page.body)
	}
	if r := b.post(t, "/admin/users", url.Values{"username": {"x"}}); r.status != http.StatusSeeOther {
		t.Errorf("anonymous POST /admin/users: status %d, want 303 to the login", r.status)
	}
}

func TestNonAdminForbidden(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.AddUser(t, "ann", "annpassword", false)
	b := s.browser(t)
	b.mustLogin(t, "ann", "annpassword")
	if r := b.get(t, "/admin/users"); r.status != http.StatusForbidden {
		t.Errorf("non-admin GET /admin/users: status %d, want 403", r.status)
	}
	r := b.submit(t, "/admin/users", url.Values{"username": {"mallory"}, "password": {"mallorypw"}})
	if r.status != http.StatusForbidden {
		t.Errorf("non-admin POST /admin/users: status %d, want 403", r.status)
	}
	if _, err := s.App.DB.UserByName(t.Context(), "mallory"); err == nil {
		t.Error("a non-admin created a user")
	}
}

func TestLoginUpgradesScrypt(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	salt := []byte("0123456789abcdef")
	key, err := scrypt.Key([]byte("testtest"), salt, 1024, 1, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.App.DB.AddUser(t.Context(), db.User{Username: "test", PasswordHash: key, PasswordSalt: salt, ScryptN: 1024, ScryptR: 1, ScryptP: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.mustLogin(t, "test", "testtest")
	u := s.user(t, "test")
	if u.PasswordArgon2id == nil || len(u.PasswordHash) != 0 {
		t.Errorf("after a browser login the scrypt record is not upgraded: %+v", u)
	}
	b2 := s.browser(t)
	b2.mustLogin(t, "test", "testtest")
}

// Ten failures of one user name from one address, or thirty from one
// address, in 15 minutes, then 429 with Retry-After, even with the right
// password; a right password from an address that has not failed is never
// refused.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	trustLoopback := func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1"} }
	from := func(b *browser, addr string) *browser { b.headers["X-Forwarded-For"] = addr; return b }

	t.Run("per user and address", func(t *testing.T) {
		s := startServer(t, trustLoopback)
		s.AddUser(t, "ann", "annpassword", true)
		s.AddUser(t, "bob", "bobpassword", true)
		b := from(s.browser(t), "203.0.113.1")
		for i := range session.DefaultFailureLimit {
			if r := b.login(t, "ann", "wrong password"); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.status)
			}
		}
		r := b.login(t, "ann", "annpassword")
		assertThrottled(t, "right password after ten failures", r)
		if !strings.Contains(r.body, "Too many failed attempts") {
			t.Errorf("throttled login page does not say why:\n%s", r.body)
		}
		if r := from(s.browser(t), "198.51.100.9").login(t, "ann", "annpassword"); r.status != http.StatusSeeOther {
			t.Errorf("same user from an address that never failed: status %d, want 303 (locked out by another address)", r.status)
		}
		if r := from(s.browser(t), "203.0.113.1").login(t, "bob", "bobpassword"); r.status != http.StatusSeeOther {
			t.Errorf("other user from the same address: status %d, want 303", r.status)
		}
	})

	t.Run("per address", func(t *testing.T) {
		s := startServer(t, trustLoopback)
		s.AddUser(t, "ann", "annpassword", true)
		b := from(s.browser(t), "203.0.113.1")
		for i := range session.DefaultAddressLimit {
			if r := b.login(t, "user"+strconv.Itoa(i), "wrong password"); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.status)
			}
		}
		assertThrottled(t, "address spraying names", from(s.browser(t), "203.0.113.1").login(t, "ann", "annpassword"))
		if r := from(s.browser(t), "198.51.100.9").login(t, "ann", "annpassword"); r.status != http.StatusSeeOther {
			t.Errorf("from another address: status %d, want 303", r.status)
		}
	})

	t.Run("success resets the user", func(t *testing.T) {
		s := startServer(t, trustLoopback)
		s.AddUser(t, "ann", "annpassword", true)
		b := from(s.browser(t), "203.0.113.1")
		for i := range 2 * (session.DefaultFailureLimit - 1) {
			if r := b.login(t, "ann", "wrong password"); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.status)
			}
			if i == session.DefaultFailureLimit-2 {
				from(s.browser(t), "203.0.113.1").mustLogin(t, "ann", "annpassword")
			}
		}
	})

	t.Run("forwarded address ignored from untrusted peers", func(t *testing.T) {
		s := startServer(t)
		s.AddUser(t, "ann", "annpassword", true)
		for i := range session.DefaultAddressLimit {
			b := from(s.browser(t), "203.0.113."+strconv.Itoa(i))
			b.login(t, "user"+strconv.Itoa(i), "wrong password")
		}
		assertThrottled(t, "spoofed X-Forwarded-For", from(s.browser(t), "198.51.100.1").login(t, "ann", "annpassword"))
	})
}

func assertThrottled(t *testing.T, what string, r response) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Errorf("%s: status %d, want 429", what, r.status)
		return
	}
	n, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || n <= 0 || n > 15*60 {
		t.Errorf("%s: Retry-After %q, want seconds up to 900", what, r.header.Get("Retry-After"))
	}
}

func TestUploadThrottle(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	s.AddUser(t, "builder", "builderpw", false)
	rec := recordFor(t, "hello", 1)
	for i := range session.DefaultFailureLimit {
		if r := s.upload(t, "builder", "wrong", rec, "X-Forwarded-For", "203.0.113.1"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, r.status)
		}
	}
	assertThrottled(t, "upload with the right password", s.upload(t, "builder", "builderpw", rec, "X-Forwarded-For", "203.0.113.1"))
	// Failed logins and uploads share the count: it is the same password.
	b := s.browser(t)
	b.headers["X-Forwarded-For"] = "203.0.113.1"
	assertThrottled(t, "login after failed uploads", b.login(t, "builder", "builderpw"))
	// The builder uploading from its own address is not locked out.
	if r := s.upload(t, "builder", "builderpw", rec, "X-Forwarded-For", "198.51.100.9"); r.status != http.StatusCreated {
		t.Errorf("upload from an address that never failed: status %d (%s), want 201", r.status, r.body)
	}
}

// User names longer than any account's are refused before they are hashed
// or counted, so they cannot fill the throttle's memory.
func TestLongUserName(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.AddUser(t, "ann", "annpassword", true)
	long := strings.Repeat("x", 256)
	rec := recordFor(t, "hello", 1)
	for i := range session.DefaultAddressLimit + 1 {
		r := s.browser(t).login(t, long+strconv.Itoa(i), "wrong password")
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "User name longer than 255 bytes") {
			t.Fatalf("login %d with a long name: status %d, want 400 saying why:\n%s", i+1, r.status, r.body)
		}
		if r := s.upload(t, long+strconv.Itoa(i), "wrong", rec); r.status != http.StatusBadRequest {
			t.Fatalf("upload %d with a long name: status %d (%s), want 400", i+1, r.status, r.body)
		}
	}
	// Not counted: the address is not throttled.
	s.browser(t).mustLogin(t, "ann", "annpassword")
	if r := s.browser(t).login(t, strings.Repeat("x", 255), "wrong password"); r.status != http.StatusUnauthorized {
		t.Errorf("255-byte name: status %d, want 401", r.status)
	}
}
