package clientip

import (
	"net/netip"
	"testing"
)

func TestNew(t *testing.T) {
	if _, err := New([]string{"10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "::1"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"proxy.example", "10.0.0.0/33", ""} {
		if _, err := New([]string{bad}); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
}

func TestClient(t *testing.T) {
	r, err := New([]string{"10.0.0.0/8", "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"direct client, header ignored", "198.51.100.7", []string{"203.0.113.9"}, "198.51.100.7"},
		{"trusted proxy", "10.1.2.3", []string{"203.0.113.9"}, "203.0.113.9"},
		{"plain-address proxy", "192.0.2.1", []string{"203.0.113.9"}, "203.0.113.9"},
		{"spoofed left entry", "10.1.2.3", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", "10.1.2.3", []string{"203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"repeated headers", "10.1.2.3", []string{"1.1.1.1", "203.0.113.9"}, "203.0.113.9"},
		{"port and brackets", "10.1.2.3", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"no header", "10.1.2.3", nil, "10.1.2.3"},
		{"garbage", "10.1.2.3", []string{"unknown"}, "10.1.2.3"},
		{"all trusted", "10.1.2.3", []string{"10.5.5.5"}, "10.5.5.5"},
		{"mapped peer", "::ffff:10.1.2.3", []string{"203.0.113.9"}, "203.0.113.9"},
	} {
		got := r.Client(netip.MustParseAddr(tc.peer), tc.xff)
		if got.String() != tc.want {
			t.Errorf("%s: Client(%s, %q) = %s, want %s", tc.name, tc.peer, tc.xff, got, tc.want)
		}
	}
}

func TestSecure(t *testing.T) {
	r, _ := New([]string{"127.0.0.1"})
	for _, tc := range []struct {
		peer  string
		tls   bool
		proto []string
		want  bool
	}{
		{"198.51.100.7", true, nil, true},
		{"198.51.100.7", false, []string{"https"}, false},
		{"127.0.0.1", false, []string{"https"}, true},
		{"127.0.0.1", false, []string{"HTTPS"}, true},
		{"127.0.0.1", false, []string{"http"}, false},
		{"127.0.0.1", false, []string{"https, http"}, true},
		{"127.0.0.1", false, nil, false},
	} {
		if got := r.Secure(netip.MustParseAddr(tc.peer), tc.tls, tc.proto); got != tc.want {
			t.Errorf("Secure(%s, %v, %q) = %v, want %v", tc.peer, tc.tls, tc.proto, got, tc.want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":          "203.0.113.9",
		"::ffff:203.0.113.9":   "203.0.113.9",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
	} {
		if got := Key(netip.MustParseAddr(in)); got != want {
			t.Errorf("Key(%s) = %s, want %s", in, got, want)
		}
	}
}
