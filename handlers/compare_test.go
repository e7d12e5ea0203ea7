package handlers_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/comparetest"
)

// The UUIDs of the shared vectors used here.
const (
	leftUUID    = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" // compare_left, hello-hvt, 2024-09-05 13:20:11Z
	rightUUID   = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e" // compare_right, a day later
	successUUID = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18" // success_hvt, same job, a day earlier
	minimalUUID = "01234567-89ab-4def-8123-456789abcdef" // no files at all
	failedUUID  = "0b9d6e4f-2c71-4e38-a5d0-7f13c8b2e964" // failed_exit1, no files
)

// compareEnv is an app holding the named vectors, uploaded for real.
func compareEnv(t testing.TB, vectors ...string) *apptest.Env {
	t.Helper()
	env := apptest.New(t)
	env.AddUser(t, "up", "secret-pw", false)
	for _, v := range vectors {
		if r := env.Upload(t, "/upload", "up", "secret-pw", apptest.Vector(t, v+".full")); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: status %d (%s)", v, r.Status, r.Body)
		}
	}
	return env
}

func cmpUpload(t testing.TB, env *apptest.Env, b comparetest.Build) {
	t.Helper()
	if r := env.Upload(t, "/upload", "up", "secret-pw", comparetest.Record(t, b)); r.Status != http.StatusCreated {
		t.Fatalf("upload %s: status %d (%s)", b.UUID, r.Status, r.Body)
	}
}

var (
	cmpTagRE   = regexp.MustCompile(`<[^>]*>`)
	cmpSpaceRE = regexp.MustCompile(`\s+`)
	cmpRowRE   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cmpCellRE  = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
)

// cmpText is what a reader sees of an HTML snippet.
func cmpText(s string) string {
	return strings.TrimSpace(cmpSpaceRE.ReplaceAllString(html.UnescapeString(cmpTagRE.ReplaceAllString(s, "")), " "))
}

// cmpSection returns the HTML of the category with this id, or "" when the
// page does not show it.
func cmpSection(body, id string) string {
	i := strings.Index(body, `<h3 id="`+id+`">`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, `<details open class="compare-section`); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// cmpRows returns the side-by-side rows of a category as
// "name | left | right", an absent side shown as "—".
func cmpRows(t *testing.T, body, id string) []string {
	t.Helper()
	s := cmpSection(body, id)
	if s == "" {
		t.Errorf("category %s is not shown", id)
		return nil
	}
	tbody := s[strings.Index(s, "<tbody>"):]
	var out []string
	for _, row := range cmpRowRE.FindAllStringSubmatch(tbody, -1) {
		var cells []string
		for _, c := range cmpCellRE.FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, cmpText(c[1]))
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

func assertCmpRows(t *testing.T, body, id string, want ...string) {
	t.Helper()
	if got := cmpRows(t, body, id); !slices.Equal(got, want) {
		t.Errorf("category %s:\n got  %q\n want %q", id, got, want)
	}
}

func cmpGet(t *testing.T, env *apptest.Env, url string, wantStatus int, headers ...string) string {
	t.Helper()
	r := env.Get(t, url, headers...)
	if r.Status != wantStatus {
		t.Fatalf("GET %s: status %d, want %d\n%s", url, r.Status, wantStatus, r.Body)
	}
	return string(r.Body)
}

var cmpLibcChanges = []string{
	"libc-bin | 2.36-9+deb12u14 | 2.36-9+deb12u15",
	"libc-dev-bin | 2.36-9+deb12u14 | 2.36-9+deb12u15",
	"libc6 | 2.36-9+deb12u14 | 2.36-9+deb12u15",
	"libc6-dev | 2.36-9+deb12u14 | 2.36-9+deb12u15",
	"libssl3 | 3.0.19-1~deb12u2 | 3.0.20-1~deb12u1",
}

func cmpReversed(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		f := strings.Split(r, " | ")
		out[i] = f[0] + " | " + f[2] + " | " + f[1]
	}
	return out
}

// The acceptance line of the issue: what differs between compare_left and
// compare_right, in both directions.
func TestComparePage(t *testing.T) {
	env := compareEnv(t, "compare_left", "compare_right")

	t.Run("left to right", func(t *testing.T) {
		body := cmpGet(t, env, "/compare/"+leftUUID+"/"+rightUUID, http.StatusOK)
		for _, want := range []string{
			"<title>Comparing builds " + leftUUID + " and " + rightUUID + "</title>",
			`<a href="/">Home</a>`,
			`<a href="/compare/` + leftUUID + `/` + rightUUID + `" aria-current="page">Comparison between hello-hvt@2024-09-05 13:20:11Z and hello-hvt@2024-09-06 13:20:11Z</a>`,
			"<h1>Comparing builds</h1>",
			`<a href="/job/hello-hvt/build/` + leftUUID + `">hello-hvt@`,
			`<a href="/job/hello-hvt/build/` + rightUUID + `">hello-hvt@`,
			`href="/compare/` + rightUUID + `/` + leftUUID + `"`,
			"Compare in reverse direction",
			// The summary links every shown category by its count.
			`<a href="#opam-packages-installede">New opam packages installed (1)</a>`,
			`<a href="#opam-packages-version-diff">Opam packages with version changes (2)</a>`,
			`<a href="#opam-packages-opam-diff">Opam packages with changes in their opam file (1)</a>`,
			`<a href="#env-changed">Environment variables changed (2)</a>`,
			`<a href="#pkgs-changed">System packages changed (5)</a>`,
			// Categories are collapsible and open.
			`<details open class="compare-section"`,
			// The opam-file diff opens from its own URL.
			`hx-get="/compare/` + leftUUID + `/` + rightUUID + `/opam/mirage-unikernel-hello-hvt"`,
			`<code>mirage-unikernel-hello-hvt.dev</code>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		assertCmpRows(t, body, "opam-packages-installede", "duration | — | 0.2.1")
		assertCmpRows(t, body, "opam-packages-version-diff", "fmt | 0.9.0 | 0.10.0", "ptime | 1.1.0 | 1.2.0")
		assertCmpRows(t, body, "env-removed", "LANG | C.UTF-8 | —")
		assertCmpRows(t, body, "env-added", "TZ | — | UTC")
		assertCmpRows(t, body, "env-changed", "HOSTNAME | worker-debian-12 | worker-debian-12-b", "PWD | /tmp/builder.4f2a9c | /tmp/builder.91d7e0")
		assertCmpRows(t, body, "pkgs-removed", "wget | 1.21.3-1+deb12u1 | —")
		assertCmpRows(t, body, "pkgs-added", "libgmp-dev | — | 2:6.2.1+dfsg1-1.1")
		assertCmpRows(t, body, "pkgs-changed", cmpLibcChanges...)
		// Empty categories are not shown, neither are unchanged entries.
		for _, id := range []string{"opam-packages-removed", "duniverse-dirs-removed", "duniverse-dirs-installed",
			"duniverse-dirs-content-diff", "duniverse-dirs-error", "opam-packages-unchanged", "env-unchanged", "pkgs-unchanged"} {
			if strings.Contains(body, `id="`+id+`"`) || strings.Contains(body, `href="#`+id+`"`) {
				t.Errorf("empty category %s is shown", id)
			}
		}
	})

	t.Run("right to left mirrors it", func(t *testing.T) {
		body := cmpGet(t, env, "/compare/"+rightUUID+"/"+leftUUID, http.StatusOK)
		if !strings.Contains(body, "<title>Comparing builds "+rightUUID+" and "+leftUUID+"</title>") {
			t.Error("reverse page has the wrong title")
		}
		assertCmpRows(t, body, "opam-packages-removed", "duration | 0.2.1 | —")
		assertCmpRows(t, body, "opam-packages-version-diff", "fmt | 0.10.0 | 0.9.0", "ptime | 1.2.0 | 1.1.0")
		assertCmpRows(t, body, "env-removed", "TZ | UTC | —")
		assertCmpRows(t, body, "env-added", "LANG | — | C.UTF-8")
		assertCmpRows(t, body, "env-changed", "HOSTNAME | worker-debian-12-b | worker-debian-12", "PWD | /tmp/builder.91d7e0 | /tmp/builder.4f2a9c")
		assertCmpRows(t, body, "pkgs-removed", "libgmp-dev | 2:6.2.1+dfsg1-1.1 | —")
		assertCmpRows(t, body, "pkgs-added", "wget | — | 1.21.3-1+deb12u1")
		assertCmpRows(t, body, "pkgs-changed", cmpReversed(cmpLibcChanges)...)
		if strings.Contains(body, `id="opam-packages-installede"`) {
			t.Error("reverse page shows new opam packages")
		}
	})

	t.Run("all=1 adds the unchanged entries", func(t *testing.T) {
		body := cmpGet(t, env, "/compare/"+leftUUID+"/"+rightUUID+"?all=1", http.StatusOK)
		rows := cmpRows(t, body, "env-unchanged")
		if !slices.Contains(rows, "HOME | /var/lib/builder | /var/lib/builder") || slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(r, "PWD ") }) {
			t.Errorf("env-unchanged = %q", rows)
		}
		if rows := cmpRows(t, body, "pkgs-unchanged"); len(rows) != 52 {
			t.Errorf("pkgs-unchanged has %d rows, want 52 (58 minus 5 changed and wget)", len(rows))
		}
		if rows := cmpRows(t, body, "opam-packages-unchanged"); slices.ContainsFunc(rows, func(r string) bool { return strings.HasPrefix(r, "fmt ") }) {
			t.Errorf("fmt listed as unchanged: %q", rows)
		}
		// The differences are still there, and the links keep the view.
		assertCmpRows(t, body, "env-added", "TZ | — | UTC")
		for _, want := range []string{
			`href="/compare/` + rightUUID + `/` + leftUUID + `?all=1"`,
			`<input type="hidden" name="all" value="1">`,
			`href="/compare/` + leftUUID + `/` + rightUUID + `"`, // back to "only differences"
		} {
			if !strings.Contains(body, want) {
				t.Errorf("all view lacks %q", want)
			}
		}
	})

	t.Run("htmx gets the comparison with its title and breadcrumbs", func(t *testing.T) {
		r := env.Get(t, "/compare/"+rightUUID+"/"+leftUUID, "HX-Request", "true")
		body := string(r.Body)
		if r.Status != http.StatusOK || strings.Contains(body, "<html") || !strings.HasPrefix(body, "<title>Comparing builds "+rightUUID) {
			t.Fatalf("fragment: status %d, body starts %.200q", r.Status, body)
		}
		if !strings.Contains(body, `hx-swap-oob="outerHTML:.site-header nav[aria-label=breadcrumb]"`) ||
			!strings.Contains(body, "Comparison between hello-hvt@2024-09-06 13:20:11Z and hello-hvt@2024-09-05 13:20:11Z") {
			t.Error("fragment lacks the out-of-band breadcrumbs")
		}
		assertCmpRows(t, body, "env-added", "LANG | — | C.UTF-8")
		if v := r.Header.Get("Vary"); !strings.Contains(v, "HX-Request") {
			t.Errorf("Vary = %q, want HX-Request in it", v)
		}
	})
}

// cmpJSON is the part of reference §7.6 these tests read.
type cmpJSON struct {
	Left, Right struct {
		Job            string `json:"job"`
		UUID           string `json:"uuid"`
		Platform       string `json:"platform"`
		StartTime      string `json:"start_time"`
		FinishTime     string `json:"finish_time"`
		MainBinary     bool   `json:"main_binary"`
		MainBinarySize *int64 `json:"main_binary_size"`
	}
	EnvDiff     cmpKVJSON `json:"env_diff"`
	PackageDiff cmpKVJSON `json:"package_diff"`
	OpamDiff    struct {
		OpamDiff []struct {
			PackageVersion   string `json:"package_version"`
			EffectivelyEqual bool   `json:"effectively_equal"`
			Diff             string `json:"diff"`
		} `json:"opam_diff"`
		VersionDiff   []cmpVersionJSON `json:"version_diff"`
		OnlyInLeft    []cmpNameVersion `json:"only_in_left"`
		OnlyInRight   []cmpNameVersion `json:"only_in_right"`
		DuniverseDiff json.RawMessage  `json:"duniverse_diff"`
	} `json:"opam_diff"`
}

type cmpNameVersion struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type cmpVersionJSON struct {
	Name         string `json:"name"`
	VersionLeft  string `json:"version_left"`
	VersionRight string `json:"version_right"`
}

type cmpKVJSON struct {
	LeftPackages      []cmpNameVersion `json:"left_packages"`
	RightPackages     []cmpNameVersion `json:"right_packages"`
	DifferentVersions []cmpVersionJSON `json:"different_versions"`
	Added             []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"added"`
	Removed []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"removed"`
	Changed []struct {
		Name  string `json:"name"`
		Left  string `json:"left"`
		Right string `json:"right"`
	} `json:"changed"`
}

func cmpGetJSON(t *testing.T, env *apptest.Env, url string, into any) string {
	t.Helper()
	r := env.Get(t, url, "Accept", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d (%s)", url, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if err := json.Unmarshal(r.Body, into); err != nil {
		t.Fatalf("JSON %s: %v", r.Body, err)
	}
	return string(r.Body)
}

func TestCompareJSON(t *testing.T) {
	env := compareEnv(t, "compare_left", "compare_right")

	var got cmpJSON
	raw := cmpGetJSON(t, env, "/compare/"+leftUUID+"/"+rightUUID, &got)
	if got.Left.UUID != leftUUID || got.Left.Job != "hello-hvt" || got.Left.Platform != "debian-12" ||
		got.Left.StartTime != "2024-09-05T13:20:11-00:00" || !got.Left.MainBinary ||
		got.Left.MainBinarySize == nil || *got.Left.MainBinarySize != 16384 {
		t.Errorf("left = %+v", got.Left)
	}
	if got.Right.UUID != rightUUID || got.Right.StartTime != "2024-09-06T13:20:11-00:00" {
		t.Errorf("right = %+v", got.Right)
	}
	// Reference §15.8: left_packages holds what only the right build has.
	if want := []cmpNameVersion{{"TZ", "UTC"}}; !slices.Equal(got.EnvDiff.LeftPackages, want) {
		t.Errorf("env_diff.left_packages = %v, want %v", got.EnvDiff.LeftPackages, want)
	}
	if want := []cmpNameVersion{{"LANG", "C.UTF-8"}}; !slices.Equal(got.EnvDiff.RightPackages, want) {
		t.Errorf("env_diff.right_packages = %v, want %v", got.EnvDiff.RightPackages, want)
	}
	if want := []cmpVersionJSON{{"HOSTNAME", "worker-debian-12", "worker-debian-12-b"}, {"PWD", "/tmp/builder.4f2a9c", "/tmp/builder.91d7e0"}}; !slices.Equal(got.EnvDiff.DifferentVersions, want) {
		t.Errorf("env_diff.different_versions = %v, want %v", got.EnvDiff.DifferentVersions, want)
	}
	if len(got.EnvDiff.Added) != 1 || got.EnvDiff.Added[0].Name != "TZ" || len(got.EnvDiff.Removed) != 1 || got.EnvDiff.Removed[0].Name != "LANG" ||
		len(got.EnvDiff.Changed) != 2 || got.EnvDiff.Changed[1].Right != "/tmp/builder.91d7e0" {
		t.Errorf("env_diff added/removed/changed = %+v %+v %+v", got.EnvDiff.Added, got.EnvDiff.Removed, got.EnvDiff.Changed)
	}
	if want := []cmpNameVersion{{"libgmp-dev", "2:6.2.1+dfsg1-1.1"}}; !slices.Equal(got.PackageDiff.LeftPackages, want) {
		t.Errorf("package_diff.left_packages = %v, want %v", got.PackageDiff.LeftPackages, want)
	}
	if want := []cmpNameVersion{{"wget", "1.21.3-1+deb12u1"}}; !slices.Equal(got.PackageDiff.RightPackages, want) {
		t.Errorf("package_diff.right_packages = %v, want %v", got.PackageDiff.RightPackages, want)
	}
	var changed []string
	for _, v := range got.PackageDiff.DifferentVersions {
		changed = append(changed, v.Name+" | "+v.VersionLeft+" | "+v.VersionRight)
	}
	if !slices.Equal(changed, cmpLibcChanges) {
		t.Errorf("package_diff.different_versions = %q, want %q", changed, cmpLibcChanges)
	}
	o := got.OpamDiff
	if want := []cmpVersionJSON{{"fmt", "0.9.0", "0.10.0"}, {"ptime", "1.1.0", "1.2.0"}}; !slices.Equal(o.VersionDiff, want) {
		t.Errorf("version_diff = %v, want %v", o.VersionDiff, want)
	}
	if want := []cmpNameVersion{{"duration", "0.2.1"}}; !slices.Equal(o.OnlyInRight, want) || len(o.OnlyInLeft) != 0 {
		t.Errorf("only_in_left = %v, only_in_right = %v; want [], %v", o.OnlyInLeft, o.OnlyInRight, want)
	}
	if len(o.OpamDiff) != 1 || o.OpamDiff[0].PackageVersion != "mirage-unikernel-hello-hvt.dev" || o.OpamDiff[0].EffectivelyEqual ||
		!strings.Contains(o.OpamDiff[0].Diff, "--- left/mirage-unikernel-hello-hvt/opam\n+++ right/mirage-unikernel-hello-hvt/opam\n") ||
		!strings.Contains(o.OpamDiff[0].Diff, "\n+  \"duration\"\n") {
		t.Errorf("opam_diff = %+v", o.OpamDiff)
	}
	if string(o.DuniverseDiff) != `{"left":[],"right":[],"detailed_diff":[]}` {
		t.Errorf("duniverse_diff = %s", o.DuniverseDiff)
	}
	// Empty lists are lists, never null.
	if !strings.Contains(raw, `"only_in_left":[]`) {
		t.Errorf("only_in_left is not an empty list in %s", raw)
	}

	var rev cmpJSON
	cmpGetJSON(t, env, "/compare/"+rightUUID+"/"+leftUUID, &rev)
	if !slices.Equal(rev.EnvDiff.LeftPackages, got.EnvDiff.RightPackages) || !slices.Equal(rev.EnvDiff.RightPackages, got.EnvDiff.LeftPackages) ||
		!slices.Equal(rev.PackageDiff.LeftPackages, got.PackageDiff.RightPackages) || !slices.Equal(rev.PackageDiff.RightPackages, got.PackageDiff.LeftPackages) ||
		!slices.Equal(rev.OpamDiff.OnlyInLeft, got.OpamDiff.OnlyInRight) || len(rev.OpamDiff.OnlyInRight) != 0 {
		t.Errorf("reverse JSON does not mirror: %+v", rev)
	}
	if want := []cmpVersionJSON{{"fmt", "0.10.0", "0.9.0"}, {"ptime", "1.2.0", "1.1.0"}}; !slices.Equal(rev.OpamDiff.VersionDiff, want) {
		t.Errorf("reverse version_diff = %v, want %v", rev.OpamDiff.VersionDiff, want)
	}
	if rev.Left.UUID != rightUUID || rev.Right.UUID != leftUUID {
		t.Errorf("reverse sides = %s, %s", rev.Left.UUID, rev.Right.UUID)
	}
}

func TestCompareErrors(t *testing.T) {
	env := compareEnv(t, "compare_left", "compare_right", "minimal", "failed_exit1")
	unknown := "00000000-0000-4000-8000-000000000000"
	var scenarios []scenario
	for _, tt := range []struct {
		name    string
		url     string
		json    bool
		status  int
		want    string // in the body
		wantLoc string // "" means no Location header
	}{
		{"unknown left build", "/compare/" + unknown + "/" + rightUUID, false, 404, "This page does not exist", ""},
		{"unknown right build", "/compare/" + leftUUID + "/" + unknown, false, 404, "This page does not exist", ""},
		{"unknown build, JSON", "/compare/" + unknown + "/" + rightUUID, true, 404, `{"error":"Build not found"}`, ""},
		{"bad left uuid", "/compare/nope/" + rightUUID, false, 400, "Bad uuid", ""},
		{"bad right uuid", "/compare/" + leftUUID + "/" + leftUUID + "x", false, 400, "Bad uuid", ""},
		{"bad uuid, JSON", "/compare/nope/" + rightUUID, true, 400, `{"error":"Bad uuid"}`, ""},
		{"build without files", "/compare/" + leftUUID + "/" + minimalUUID, false, 404, "has no opam-switch, so it cannot be compared", ""},
		{"failed build", "/compare/" + failedUUID + "/" + rightUUID, false, 404, "Build " + failedUUID + " of job albatross has no opam-switch", ""},
		{"failed build, JSON", "/compare/" + failedUUID + "/" + rightUUID, true, 404, "of job albatross has no opam-switch", ""},
		{"opam file of a build without files", "/compare/" + leftUUID + "/" + minimalUUID + "/opam/fmt", false, 404, "has no opam-switch", ""},
		{"opam file without differences", "/compare/" + leftUUID + "/" + rightUUID + "/opam/fmt", true, 404, "do not differ", ""},
		{"upper-case uuids", "/compare/" + strings.ToUpper(leftUUID) + "/" + strings.ToUpper(rightUUID), false, 200, "Comparing builds " + leftUUID, ""},
		{"form", "/compare?left=" + leftUUID + "&right=" + rightUUID, false, 302, "", "/compare/" + leftUUID + "/" + rightUUID},
		{"form keeps the view", "/compare?left=" + strings.ToUpper(rightUUID) + "&right=" + leftUUID + "&all=1", false, 302, "", "/compare/" + rightUUID + "/" + leftUUID + "?all=1"},
		{"form with a bad uuid", "/compare?left=" + leftUUID + "&right=x", false, 400, "Bad uuid", ""},
		{"form without parameters", "/compare", false, 400, "Bad uuid", ""},
	} {
		sc := scenario{name: tt.name, url: tt.url, status: tt.status, has: []string{tt.want},
			header: map[string]string{"Location": tt.wantLoc}}
		if tt.json {
			sc.headers = []string{"Accept", "application/json"}
		}
		scenarios = append(scenarios, sc)
	}
	runScenarios(t, env, scenarios)
}

func TestCompareOpamFile(t *testing.T) {
	env := compareEnv(t, "compare_left", "compare_right")
	url := "/compare/" + leftUUID + "/" + rightUUID + "/opam/mirage-unikernel-hello-hvt"

	frag := cmpGet(t, env, url, http.StatusOK, "HX-Request", "true")
	if !strings.HasPrefix(frag, `<pre class="unified-diff">`) || strings.Contains(frag, "<html") {
		t.Errorf("htmx fragment is not the <pre> alone:\n%s", frag)
	}
	// html/template writes + and " as character references.
	for _, want := range []string{
		`<span class="diff-file">--- left/mirage-unikernel-hello-hvt/opam</span>`,
		`<span class="diff-file">+++ right/mirage-unikernel-hello-hvt/opam</span>`,
		`<span class="diff-hunk">@@ -12,6 +12,7 @@</span>`,
		`<span class="diff-add">+  "duration"</span>`,
	} {
		if !strings.Contains(html.UnescapeString(frag), want) {
			t.Errorf("fragment lacks %q:\n%s", want, frag)
		}
	}

	page := cmpGet(t, env, url, http.StatusOK)
	for _, want := range []string{"<html", "<h1>Opam file of mirage-unikernel-hello-hvt.dev</h1>",
		`href="/compare/` + leftUUID + `/` + rightUUID + `"`, "--- left/mirage-unikernel-hello-hvt/opam"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	var got struct {
		PackageVersion string `json:"package_version"`
		Diff           string `json:"diff"`
	}
	cmpGetJSON(t, env, url, &got)
	if got.PackageVersion != "mirage-unikernel-hello-hvt.dev" || !strings.HasPrefix(got.Diff, "--- left/mirage-unikernel-hello-hvt/opam\n+++ right/mirage-unikernel-hello-hvt/opam\n") {
		t.Errorf("JSON = %+v", got)
	}

	// The other direction swaps the labels' contents, not the labels.
	rev := cmpGet(t, env, "/compare/"+rightUUID+"/"+leftUUID+"/opam/mirage-unikernel-hello-hvt", http.StatusOK, "HX-Request", "true")
	if !strings.Contains(html.UnescapeString(rev), `<span class="diff-del">-  "duration"</span>`) || !strings.Contains(rev, "--- left/mirage-unikernel-hello-hvt/opam") {
		t.Errorf("reverse fragment:\n%s", rev)
	}
}

// cmpSwitch writes a switch export whose root "app.1" has the given
// overlay fields, plus the listed packages each with an overlay.
func cmpSwitch(root string, pkgs map[string]string) []byte {
	var b strings.Builder
	b.WriteString("opam-version: \"2.0\"\ncompiler: [\"ocaml-base-compiler.5.1.0\"]\nroots: [\"app.1\"]\npinned: [\"app.1\"]\ninstalled: [\"app.1\" \"ocaml-base-compiler.5.1.0\"")
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		b.WriteString(" \"" + p + "\"")
	}
	b.WriteString("]\npackage \"app\" {\n  version: \"1\"\n" + root + "\n}\n")
	for _, p := range names {
		name, version, _ := strings.Cut(p, ".")
		b.WriteString("package \"" + name + "\" {\n  version: \"" + version + "\"\n" + pkgs[p] + "\n}\n")
	}
	return []byte(b.String())
}

// Reference §15.20: opam-file and duniverse content diffs are listed in
// descending order in HTML and JSON, only_in_left/right in descending
// order in JSON, the removed/new/version lists ascending. Pinned and
// compiler packages compare without error (product §2.11).
