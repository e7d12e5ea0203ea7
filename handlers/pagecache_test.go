package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// The page cache serves visitors only: a logged-in user's page shows the
// user's own name and CSRF token, never a visitor's cached page or another
// user's.
func TestPageCacheUsers(t *testing.T) {
	s := startServer(t)
	s.AddUser(t, "annuser", "annpassword", true)
	s.AddUser(t, "bobuser", "bobpassword", true)
	ann, bob, visitor := s.browser(t), s.browser(t), s.browser(t)
	for _, u := range []string{"/", "/all-builds", "/failed-builds"} {
		visitor.get(t, u) // fills the cache
		visitor.get(t, u)
	}
	for _, l := range []struct {
		b        *browser
		name, pw string
	}{{ann, "annuser", "annpassword"}, {bob, "bobuser", "bobpassword"}} {
		if r := l.b.login(t, l.name, l.pw); r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", l.name, r.status)
		}
	}
	annToken, bobToken := ann.csrf(t), bob.csrf(t)
	for _, u := range []string{"/", "/all-builds", "/failed-builds"} {
		for _, c := range []struct {
			who        string
			b          *browser
			has, lacks []string
		}{
			{"annuser", ann, []string{"annuser", annToken}, []string{"bobuser", bobToken}},
			{"bobuser", bob, []string{"bobuser", bobToken}, []string{"annuser", annToken}},
			{"visitor", visitor, nil, []string{"annuser", "bobuser", annToken, bobToken}},
		} {
			r := c.b.get(t, u)
			if r.status != http.StatusOK {
				t.Fatalf("%s GET %s: %d", c.who, u, r.status)
			}
			for _, s := range c.has {
				if !strings.Contains(r.body, s) {
					t.Errorf("%s GET %s: page lacks %q", c.who, u, s)
				}
			}
			for _, s := range c.lacks {
				if strings.Contains(r.body, s) {
					t.Errorf("%s GET %s: page shows %q", c.who, u, s)
				}
			}
		}
	}
}
