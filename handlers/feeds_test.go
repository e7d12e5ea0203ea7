package handlers_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// obsAtom is what a feed reader takes from an Atom document.
type obsAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author  string `xml:"author>name"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

const (
	obsHVT     = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18" // hello-hvt, debian-12, exited 0, main binary
	obsExit1   = "0b9d6e4f-2c71-4e38-a5d0-7f13c8b2e964" // albatross, debian-12, exited 1
	obsSigkill = "c41e2b7a-6f09-4b8d-8e25-19a3d70c5f62" // opam-graph, ubuntu-20.04, SIGKILL
)

// obsEnv is a server with three builds uploaded in this order: a success,
// an exit 1 and a SIGKILL, of three jobs.
func obsEnv(t *testing.T, modify ...func(*server.Config)) *apptest.Env {
	t.Helper()
	env := apptest.New(t, modify...)
	env.AddUser(t, "up", "upload-pw", false)
	for _, v := range []string{"success_hvt.full", "failed_exit1.full", "signalled_sigkill.full"} {
		if r := env.Upload(t, "/upload", "up", "upload-pw", apptest.Vector(t, v)); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: status %d (%s)", v, r.Status, r.Body)
		}
	}
	return env
}

func obsFeed(t *testing.T, env *apptest.Env, url string, headers ...string) obsAtom {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://builds.example.org"+url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := env.Do(t, req)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d (%s)", url, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	var f obsAtom
	if err := xml.Unmarshal(r.Body, &f); err != nil {
		t.Fatalf("GET %s: not Atom: %v\n%s", url, err, r.Body)
	}
	return f
}

func TestFeeds(t *testing.T) {
	env := obsEnv(t)
	base := "http://builds.example.org"
	type entry struct{ id, title, updated, link string }
	hvt := entry{"urn:uuid:" + obsHVT, "hello-hvt on debian-12: exited 0", "2024-09-04T13:24:24Z",
		base + "/job/hello-hvt/build/" + obsHVT}
	exit1 := entry{"urn:uuid:" + obsExit1, "albatross on debian-12: exited 1", "2024-09-04T14:21:29Z",
		base + "/job/albatross/build/" + obsExit1}
	kill := entry{"urn:uuid:" + obsSigkill, "opam-graph on ubuntu-20.04: signalled SIGKILL (-7)", "2024-09-04T16:20:11Z",
		base + "/job/opam-graph/build/" + obsSigkill}
	cases := []struct {
		url, title string
		want       []entry
		updated    string // the newest finish time
	}{
		{"/feed.atom", "Builds – builder-web", []entry{kill, exit1, hvt}, kill.updated}, // newest upload first
		{"/failed-builds/feed.atom", "Failed builds – builder-web", []entry{kill, exit1}, kill.updated},
		{"/job/hello-hvt/feed.atom", "Builds of hello-hvt – builder-web", []entry{hvt}, hvt.updated},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			f := obsFeed(t, env, c.url)
			if f.ID != base+c.url || f.Title != c.title || f.Author == "" {
				t.Errorf("feed id %q title %q author %q; want id %q title %q", f.ID, f.Title, f.Author, base+c.url, c.title)
			}
			if f.Updated != c.updated {
				t.Errorf("feed updated %q, want %q", f.Updated, c.updated)
			}
			var got []entry
			for _, e := range f.Entries {
				got = append(got, entry{e.ID, e.Title, e.Updated, e.Link.Href})
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("entries:\n%v\nwant:\n%v", got, c.want)
			}
			// Ids do not change between fetches: readers use them to
			// tell new entries from seen ones.
			again := obsFeed(t, env, c.url)
			for i := range again.Entries {
				if again.Entries[i].ID != f.Entries[i].ID {
					t.Errorf("entry %d id changed: %q then %q", i, f.Entries[i].ID, again.Entries[i].ID)
				}
			}
		})
	}

	f := obsFeed(t, env, "/feed.atom")
	if s := f.Entries[2].Summary; !strings.Contains(s, "Main binary bin/hello.hvt") || !strings.Contains(s, "started 2024-09-04 13:20:11Z") {
		t.Errorf("summary of the successful build: %q", s)
	}
}

// A client claiming https is not believed, a trusted proxy is.
func TestFeedScheme(t *testing.T) {
	untrusted := obsFeed(t, obsEnv(t), "/feed.atom", "X-Forwarded-Proto", "https")
	if l := untrusted.Entries[0].Link.Href; !strings.HasPrefix(l, "http://builds.example.org/job/") {
		t.Errorf("link from an untrusted X-Forwarded-Proto: %q", l)
	}
	env := obsEnv(t, func(c *server.Config) { c.TrustedProxies = []string{"0.0.0.0/0", "::/0"} })
	trusted := obsFeed(t, env, "/feed.atom", "X-Forwarded-Proto", "https")
	if l := trusted.Entries[0].Link.Href; !strings.HasPrefix(l, "https://builds.example.org/job/") {
		t.Errorf("link behind a trusted proxy: %q", l)
	}
}

func TestFeedLimitAndNotFound(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "upload-pw", false)
	for i := range 52 {
		url := fmt.Sprintf("/job/many/platform/p%d/upload", i%3)
		if r := env.Upload(t, url, "up", "upload-pw", fmt.Appendf(nil, "binary %d", i)); r.Status != http.StatusCreated {
			t.Fatalf("upload %d: status %d", i, r.Status)
		}
	}
	for _, url := range []string{"/feed.atom", "/job/many/feed.atom"} {
		if n := len(obsFeed(t, env, url).Entries); n != 50 {
			t.Errorf("%s has %d entries, want 50", url, n)
		}
	}
	if f := obsFeed(t, env, "/failed-builds/feed.atom"); len(f.Entries) != 0 || f.Updated == "" {
		t.Errorf("failed feed without failures: %d entries, updated %q", len(f.Entries), f.Updated)
	}
	if r := env.Get(t, "/job/nope/feed.atom"); r.Status != http.StatusNotFound {
		t.Errorf("feed of an unknown job: status %d, want 404", r.Status)
	}
}
