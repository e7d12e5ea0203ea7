package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
)

// manyArtifacts is a build with n small artifacts after its main binary.
func manyArtifacts(t *testing.T, uuid string, n int) []byte {
	t.Helper()
	files := []builder.File{binary("bin/many.hvt", "many")}
	for i := 1; i <= n; i++ {
		files = append(files, builder.File{Path: fmt.Sprintf("out/f%05d.txt", i), Data: []byte{byte(i)}})
	}
	return rec{job: "many", uuid: uuid, start: t0, files: files}.encode(t)
}

// artifactLink matches an artifact's entry in the build page's list.
var artifactLink = regexp.MustCompile(`<dt><a href="/job/many/build/[^"]+/f/([^"]+)"><code>`)

// moreLink matches the "Show more artifacts" link and its htmx URL.
var moreLink = regexp.MustCompile(`<dt class="more-artifacts"><a href="([^"#]+)#artifacts" hx-get="([^"]+)"`)

// A build with 50,000 artifacts: its page lists the first 200 and stays
// small; "Show more artifacts" loads the next 200 rows at a time through
// htmx, or as a page of their own without JavaScript, until every artifact
// was shown once (issue #11, item 3).
func TestBuildPageManyArtifacts(t *testing.T) {
	const n = 50_000
	env := newEnv(t)
	// The store's bulk-load switch: an fsync per artifact would make the
	// upload take minutes, and durability is not what this test is about.
	env.App.Store.NoSync = true
	uuid := testUUID(50)
	start := time.Now()
	upload(t, env, manyArtifacts(t, uuid, n))
	t.Logf("upload of %d artifacts: %s", n+1, time.Since(start))
	url := buildURL("many", uuid)

	start = time.Now()
	html := page(t, env, url)
	t.Logf("build page: %d bytes in %s", len(html), time.Since(start))
	if got := len(artifactLink.FindAllString(html, -1)); got != 200 {
		t.Errorf("the build page lists %d artifacts, want 200", got)
	}
	if len(html) > 200_000 {
		t.Errorf("the build page has %d bytes, want at most 200,000", len(html))
	}
	assertContains(t, "build page", text(html), "The first 200 of 50001 artifacts.", "bin/many.hvt", "out/f00199.txt")
	assertLacks(t, "build page", html, "out/f00200.txt")
	m := moreLink.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no link to more artifacts in\n%s", section(html, "Build artifacts"))
	}

	// Without JavaScript the link opens a page with the next ones.
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	later := page(t, env, next)
	got := artifactLink.FindAllStringSubmatch(later, -1)
	if len(got) != 200 || got[0][1] != "out/f00200.txt" {
		t.Errorf("the next page lists %d artifacts from %v, want 200 from out/f00200.txt", len(got), got[:min(1, len(got))])
	}
	assertContains(t, "next page", text(later), "50001 artifacts; these follow the first ones")

	// htmx gets the rows only; following the links shows every artifact once.
	seen := map[string]int{}
	for _, a := range artifactLink.FindAllStringSubmatch(html, -1) {
		seen[a[1]]++
	}
	more := strings.ReplaceAll(m[2], "&amp;", "&")
	for requests := 0; more != ""; requests++ {
		if requests > n/200+1 {
			t.Fatalf("still more after %d requests", requests)
		}
		r := get(t, env, more, "HX-Request", "true")
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: status %d", more, r.Status)
		}
		body := string(r.Body)
		if strings.Contains(body, "<html") || strings.Contains(body, "<h3") {
			t.Fatalf("GET %s with HX-Request: a whole page, want the rows", more)
		}
		for _, a := range artifactLink.FindAllStringSubmatch(body, -1) {
			seen[a[1]]++
		}
		more = ""
		if m := moreLink.FindStringSubmatch(body); m != nil {
			more = strings.ReplaceAll(m[2], "&amp;", "&")
		}
	}
	if len(seen) != n+1 {
		t.Errorf("%d distinct artifacts shown, want %d", len(seen), n+1)
	}
	for p, k := range seen {
		if k != 1 {
			t.Errorf("%s shown %d times", p, k)
		}
	}
}

// A malformed artifacts_after is a 400, not a 500.
func TestBuildPageBadArtifactsAfter(t *testing.T) {
	env := newEnv(t)
	uuid := testUUID(51)
	upload(t, env, manyArtifacts(t, uuid, 3))
	for _, q := range []string{"x", "-1", "1e3", "99999999999999999999"} {
		r := get(t, env, buildURL("many", uuid)+"?artifacts_after="+q)
		if r.Status != http.StatusBadRequest {
			t.Errorf("artifacts_after=%s: status %d, want 400", q, r.Status)
		}
	}
	// Past the last artifact: a page without artifacts.
	if r := get(t, env, buildURL("many", uuid)+"?artifacts_after=999999"); r.Status != http.StatusOK {
		t.Errorf("artifacts_after past the end: status %d, want 200", r.Status)
	}
}

// The build JSON lists the artifacts in the page's slices: the first 200,
// then artifacts_next continues, until every artifact was listed once.
func TestBuildJSONArtifactPages(t *testing.T) {
	env := newEnv(t)
	uuid := testUUID(52)
	upload(t, env, manyArtifacts(t, uuid, 250))
	var all []string
	next := buildURL("many", uuid)
	for pages := 0; next != ""; pages++ {
		if pages > 2 {
			t.Fatalf("still more after %d pages", pages)
		}
		r := get(t, env, next, "Accept", "application/json")
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: status %d", next, r.Status)
		}
		var got struct {
			Artifacts []struct {
				Path, SHA256 string
				Size         int64
			}
			ArtifactsNext string `json:"artifacts_next"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		for _, a := range got.Artifacts {
			all = append(all, a.Path)
		}
		next = got.ArtifactsNext
	}
	if len(all) != 251 || all[0] != "bin/many.hvt" || all[200] != "out/f00200.txt" || all[250] != "out/f00250.txt" {
		t.Errorf("%d artifacts listed: %v … %v, want 251 from bin/many.hvt", len(all), all[:min(2, len(all))], all[max(0, len(all)-2):])
	}
	if r := get(t, env, buildURL("many", uuid)+"?artifacts_after=x", "Accept", "application/json"); r.Status != http.StatusBadRequest {
		t.Errorf("JSON with artifacts_after=x: status %d, want 400", r.Status)
	}
}
