package handlers_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// liveServer is a real builder-web on a loopback port, so that tests talk to it
// as a browser does: real cookies, real redirects.
type liveServer struct {
	*apptest.Env
	base string
}

func startServer(t *testing.T, modify ...func(*server.Config)) *liveServer {
	t.Helper()
	env := apptest.New(t, modify...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go env.App.Fiber.Listener(ln)
	t.Cleanup(func() {
		if err := env.App.Fiber.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &liveServer{Env: env, base: "http://" + ln.Addr().String()}
}

// addAdmin creates an unrestricted administrator.
func (s *liveServer) addAdmin(t *testing.T, name, pw string) {
	t.Helper()
	s.AddUser(t, name, pw, false)
	if err := s.App.DB.SetAdmin(t.Context(), name, true); err != nil {
		t.Fatal(err)
	}
}

func (s *liveServer) user(t *testing.T, name string) *db.User {
	t.Helper()
	u, err := s.App.DB.UserByName(t.Context(), name)
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// upload posts a record with basic auth, as builder does.
func (s *liveServer) upload(t *testing.T, user, pw string, body []byte, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+"/upload", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pw)))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, http.DefaultClient, req)
}

// browser is one cookie jar. It does not follow redirects, so tests see
// the 303s.
type browser struct {
	s      *liveServer
	client *http.Client
	// headers are sent with every request (e.g. X-Forwarded-For).
	headers map[string]string
}

func (s *liveServer) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{s: s, headers: map[string]string{}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func do(t *testing.T, client *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) request(t *testing.T, method, path string, body io.Reader, headers []string) response {
	t.Helper()
	req, err := http.NewRequest(method, b.s.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, b.client, req)
}

func (b *browser) get(t *testing.T, path string, headers ...string) response {
	t.Helper()
	return b.request(t, http.MethodGet, path, nil, headers)
}

// post sends a form as is: the caller decides about the CSRF token.
func (b *browser) post(t *testing.T, path string, form url.Values, headers ...string) response {
	t.Helper()
	return b.request(t, http.MethodPost, path, strings.NewReader(form.Encode()), headers)
}

// submit sends a form with the CSRF token of the session's pages.
func (b *browser) submit(t *testing.T, path string, form url.Values, headers ...string) response {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", b.csrf(t))
	return b.post(t, path, f, headers...)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the session's token from a page, as a form would carry it.
func (b *browser) csrf(t *testing.T) string {
	t.Helper()
	r := b.get(t, "/admin/users")
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	r = b.get(t, "/login") // a non-admin's header has the logout form
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	t.Fatalf("no CSRF token on /admin/users (%d) or /login", r.status)
	return ""
}

// login fills in the login form and returns the answer to the POST.
func (b *browser) login(t *testing.T, name, pw string, extra ...string) response {
	t.Helper()
	page := b.get(t, "/login")
	i := strings.Index(page.body, `action="/login"`)
	if page.status != http.StatusOK || i < 0 {
		t.Fatalf("GET /login: %d without the form", page.status)
	}
	m := csrfField.FindStringSubmatch(page.body[i:])
	if m == nil {
		t.Fatal("login form without token")
	}
	form := url.Values{"csrf_token": {m[1]}, "username": {name}, "password": {pw}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return b.post(t, "/login", form)
}

func (b *browser) mustLogin(t *testing.T, name, pw string) {
	t.Helper()
	if r := b.login(t, name, pw); r.status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303\n%s", name, r.status, r.body)
	}
}

// sessionCookie is the browser's current session id.
func (b *browser) sessionCookie(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(b.s.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == session.CookieName {
			return c.Value
		}
	}
	return ""
}

// withCookie sends one request with only the given session cookie.
func (s *liveServer) withCookie(t *testing.T, path, id string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	req.AddCookie(&http.Cookie{Name: session.CookieName, Value: id})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return do(t, client, req)
}

// fakeClock replaces the session clock; it is read by the server's
// goroutines, so it is atomic.
func fakeClock(s *liveServer) *atomic.Int64 {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	s.App.Sessions.Now = func() time.Time { return time.Unix(0, now.Load()) }
	return &now
}

func TestHeaderShowsSession(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	s.AddUser(t, "ann", "annpassword", true)
	b := s.browser(t)
	r := b.get(t, "/no-such-page")
	if !strings.Contains(r.body, `href="/login"`) || strings.Contains(r.body, "Log out") {
		t.Errorf("visitor's header: want a login link and no logout button")
	}
	b.mustLogin(t, "ann", "annpassword")
	r = b.get(t, "/no-such-page")
	if !strings.Contains(r.body, "ann") || !strings.Contains(r.body, `action="/logout"`) || strings.Contains(r.body, `href="/admin/users"`) {
		t.Errorf("user's header: want the name and logout form, no Users link:\n%s", r.body)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("page of a session: Cache-Control %q, want no-store", cc)
	}
	a := s.browser(t)
	a.mustLogin(t, "root", "rootpassword")
	if r := a.get(t, "/no-such-page"); !strings.Contains(r.body, `href="/admin/users"`) {
		t.Error("admin's header has no link to the user administration")
	}
}

func TestCookieFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		trusted []string
		proto   string
		secure  bool
	}{
		{"plain http", nil, "", false},
		{"forwarded https from an untrusted peer", nil, "https", false},
		{"forwarded https from a trusted proxy", []string{"127.0.0.1/32"}, "https", true},
		{"forwarded http from a trusted proxy", []string{"127.0.0.1"}, "http", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(c *server.Config) { c.TrustedProxies = tc.trusted })
			s.AddUser(t, "ann", "annpassword", true)
			b := s.browser(t)
			if tc.proto != "" {
				b.headers["X-Forwarded-Proto"] = tc.proto
			}
			r := b.login(t, "ann", "annpassword")
			c := r.cookie(session.CookieName)
			if r.status != http.StatusSeeOther || c == nil {
				t.Fatalf("login: status %d, cookie %v", r.status, c)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Errorf("cookie %q: want HttpOnly, SameSite=Lax, Path=/", r.header.Values("Set-Cookie"))
			}
			if c.Secure != tc.secure {
				t.Errorf("cookie Secure = %v, want %v", c.Secure, tc.secure)
			}
		})
	}
}

func TestSessionRotatesAtLogin(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	first := b.sessionCookie(t)
	b.mustLogin(t, "root", "rootpassword")
	second := b.sessionCookie(t)
	if first == "" || second == "" || first == second {
		t.Fatalf("session ids %q then %q: want two different ones", first, second)
	}
	if r := s.withCookie(t, "/admin/users", first); r.status != http.StatusSeeOther {
		t.Errorf("old session id: status %d, want 303 to the login", r.status)
	}
	if r := s.withCookie(t, "/admin/users", second); r.status != http.StatusOK {
		t.Errorf("new session id: status %d, want 200", r.status)
	}
}

func TestLogoutEndsSessionOnServer(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	b := s.browser(t)
	b.mustLogin(t, "root", "rootpassword")
	id := b.sessionCookie(t)

	// Without the token logout is refused and the session lives on.
	if r := b.post(t, "/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without CSRF token: status %d, want 403", r.status)
	}
	if r := s.withCookie(t, "/admin/users", id); r.status != http.StatusOK {
		t.Fatalf("session after refused logout: status %d, want 200", r.status)
	}
	r := b.submit(t, "/logout", url.Values{})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Errorf("logout: %d to %q, want 303 to /", r.status, r.header.Get("Location"))
	}
	// The old cookie value, replayed, is worthless.
	if r := s.withCookie(t, "/admin/users", id); r.status != http.StatusSeeOther {
		t.Errorf("replayed session after logout: status %d, want 303 to the login", r.status)
	}
	if r := b.get(t, "/no-such-page"); strings.Contains(r.body, "Log out") {
		t.Error("header still shows a session after logout")
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.addAdmin(t, "root", "rootpassword")
	now := fakeClock(s)
	advance := func(d time.Duration) { now.Add(int64(d)) }

	t.Run("idle", func(t *testing.T) {
		b := s.browser(t)
		b.mustLogin(t, "root", "rootpassword")
		advance(session.DefaultIdleTimeout - time.Minute)
		if r := b.get(t, "/admin/users"); r.status != http.StatusOK {
			t.Fatalf("before the idle timeout: status %d, want 200", r.status)
		}
		advance(session.DefaultIdleTimeout - time.Minute)
		if r := b.get(t, "/admin/users"); r.status != http.StatusOK {
			t.Fatalf("used again within the idle timeout: status %d, want 200", r.status)
		}
		advance(session.DefaultIdleTimeout)
		if r := b.get(t, "/admin/users"); r.status != http.StatusSeeOther {
			t.Errorf("after the idle timeout: status %d, want 303 to the login", r.status)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		b := s.browser(t)
		b.mustLogin(t, "root", "rootpassword")
		var used time.Duration
		for used+6*time.Hour < session.DefaultMaxAge {
			advance(6 * time.Hour)
			used += 6 * time.Hour
			if r := b.get(t, "/admin/users"); r.status != http.StatusOK {
				t.Fatalf("%v after login, used every 6 h: status %d, want 200", used, r.status)
			}
		}
		advance(session.DefaultMaxAge - used)
		if r := b.get(t, "/admin/users"); r.status != http.StatusSeeOther {
			t.Errorf("at the maximum age: status %d, want 303 to the login", r.status)
		}
	})
}
