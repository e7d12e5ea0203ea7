package handlers_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

func TestBadge(t *testing.T) {
	env := obsEnv(t) // albatross: exited 1 on debian-12
	if r := env.Upload(t, "/job/albatross/platform/freebsd-14/upload", "up", "upload-pw", []byte("bin")); r.Status != http.StatusCreated {
		t.Fatalf("bare upload: status %d", r.Status)
	}
	if r := env.Upload(t, "/job/x%3Cy%26z/platform/p/upload", "up", "upload-pw", []byte("bin")); r.Status != http.StatusCreated {
		t.Fatalf("bare upload: status %d (%s)", r.Status, r.Body)
	}
	cases := []struct {
		url          string
		want, absent []string
	}{
		{"/job/albatross/badge.svg",
			[]string{">albatross<", ">debian-12: exited 1<", ">freebsd-14: ok<", `fill="#e05d44"`, `fill="#4c1"`}, nil},
		{"/job/albatross/badge.svg?platform=debian-12",
			[]string{">albatross<", ">debian-12: exited 1<"}, []string{"freebsd-14"}},
		{"/job/albatross/badge.svg?platform=sunos",
			[]string{">sunos: no builds<"}, []string{"debian-12", "freebsd-14"}},
		{"/job/hello-hvt/badge.svg", []string{">debian-12: ok, unverified<"}, nil},
		{"/job/x%3Cy%26z/badge.svg", []string{">x&lt;y&amp;z<", ">p: ok<"}, []string{"x<y"}},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			r := env.Get(t, c.url)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d (%s)", r.Status, r.Body)
			}
			if ct, cc := r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"); ct != "image/svg+xml" || cc != "public, max-age=60" {
				t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
			}
			var svg struct {
				XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
				Title   string   `xml:"title"`
			}
			if err := xml.Unmarshal(r.Body, &svg); err != nil {
				t.Fatalf("not SVG: %v\n%s", err, r.Body)
			}
			body := string(r.Body)
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("badge lacks %q:\n%s", w, body)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("badge has %q:\n%s", a, body)
				}
			}
		})
	}
	if r := env.Get(t, "/job/nope/badge.svg"); r.Status != http.StatusNotFound {
		t.Errorf("badge of an unknown job: status %d, want 404", r.Status)
	}
}
