package handlers

import "testing"

func TestPrefersJSON(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"application/json", true},
		{"text/html", false},
		{"*/*", false},
		{"text/html, application/json", false},
		{"application/json, text/html", false},
		{"text/html;q=0.5, application/json", true},
		{"application/json;q=0.9, */*;q=0.1", true},
		{"application/*", false},
		{"application/json;q=0", false},
		{"text/*;q=0.2, application/json;q=0.3", true},
	} {
		if got := prefersJSON(tc.accept); got != tc.want {
			t.Errorf("prefersJSON(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}
