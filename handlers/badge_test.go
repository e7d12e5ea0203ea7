package handlers_test

import (
	"encoding/xml"
	"net/http"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
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
	var scenarios []scenario
	for _, c := range cases {
		scenarios = append(scenarios, scenario{name: c.url, url: c.url, status: http.StatusOK,
			header: map[string]string{"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=60"},
			has:    c.want, lacks: c.absent, check: func(t *testing.T, r apptest.Response) {
				var svg struct {
					XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
					Title   string   `xml:"title"`
				}
				if err := xml.Unmarshal(r.Body, &svg); err != nil {
					t.Fatalf("not SVG: %v\n%s", err, r.Body)
				}
			}})
	}
	scenarios = append(scenarios, scenario{name: "unknown job", url: "/job/nope/badge.svg", status: http.StatusNotFound})
	runScenarios(t, env, scenarios)
}
