package handlers_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// The HTTP tests of handlers/ share one table shape (PocketBase style):
// each scenario is a request and what its answer must show, run against a
// real server over a temp data directory seeded through the real upload
// path (apptest). A test builds its data, then lists its scenarios.

// scenario is one request and what its answer must show. Scenarios run in
// order, so a later one may depend on what an earlier one stored.
type scenario struct {
	name    string
	method  string // default GET
	url     string
	headers []string // pairs
	body    []byte
	status  int
	header  map[string]string // exact values; "" means absent
	vary    []string          // tokens the Vary header must list
	has     []string          // substrings of the body
	lacks   []string
	check   func(t *testing.T, r apptest.Response)
}

// runScenarios runs each scenario as a subtest named after it.
func runScenarios(t *testing.T, env *apptest.Env, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, sc.url, bytes.NewReader(sc.body))
			for i := 0; i+1 < len(sc.headers); i += 2 {
				req.Header.Set(sc.headers[i], sc.headers[i+1])
			}
			r := env.Do(t, req)
			if r.Status != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", method, sc.url, r.Status, sc.status, r.Body)
			}
			for k, want := range sc.header {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s %s: header %s = %q, want %q", method, sc.url, k, got, want)
				}
			}
			vary := strings.ToLower(strings.Join(r.Header.Values("Vary"), ","))
			for _, v := range sc.vary {
				if !strings.Contains(vary, strings.ToLower(v)) {
					t.Errorf("%s %s: Vary %q lacks %s", method, sc.url, vary, v)
				}
			}
			body := string(r.Body)
			for _, s := range sc.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: body lacks %q; body:\n%.3000s", method, sc.url, s, body)
				}
			}
			for _, s := range sc.lacks {
				if strings.Contains(body, s) {
					t.Errorf("%s %s: body has %q", method, sc.url, s)
				}
			}
			if sc.check != nil {
				sc.check(t, r)
			}
		})
	}
}
