package handlers_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/testkit/comparetest"
)

func TestCompareOrdering(t *testing.T) {
	env := compareEnv(t)
	sha := func(c string) string { return "sha256=" + strings.Repeat(c, 64) }
	dirs := func(a, b string) string {
		return `x-opam-monorepo-duniverse-dirs: [
  ["https://x/a.tgz" "dir-a" ["` + sha(a) + `"]]
  ["https://x/b.tgz" "dir-b" ["` + sha(b) + `"]]
  ["https://x/same.tgz" "dir-same" ["` + sha("0") + `"]]
]`
	}
	left := cmpSwitch(dirs("1", "2"), map[string]string{
		"gone-a.1": "", "gone-b.1": "", "gone-c.1": "",
		"lib-x.1": `build: [["make"]]`, "lib-y.1": `build: [["make"]]`, "ver.1": "",
	})
	right := cmpSwitch(dirs("3", "4"), map[string]string{
		"new-a.1": "", "new-b.1": "",
		"lib-x.1": `build: [["make" "x"]]`, "lib-y.1": `build: [["make" "y"]]`, "ver.2": "",
	})
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	l := comparetest.Build{UUID: "11111111-1111-4111-8111-111111111111", Job: "sorted", Start: start, Files: map[string][]byte{
		"bin/app": []byte("left"), "opam-switch": left, "build-environment": []byte("A=1"),
		"system-packages": []byte("py39-setuptools-63.1\npkg-1.19.2\ngone-1.0"),
	}}
	r := comparetest.Build{UUID: "22222222-2222-4222-8222-222222222222", Job: "sorted", Platform: "freebsd-14", Start: start.Add(time.Hour), Files: map[string][]byte{
		"bin/app": []byte("right"), "opam-switch": right, "build-environment": []byte("A=1"),
		"system-packages": []byte("py39-setuptools-65.5.1\npkg-1.19.2"),
	}}
	cmpUpload(t, env, l)
	cmpUpload(t, env, r)
	url := "/compare/" + l.UUID + "/" + r.UUID

	body := cmpGet(t, env, url, http.StatusOK)
	assertCmpRows(t, body, "opam-packages-removed", "gone-a | 1 | —", "gone-b | 1 | —", "gone-c | 1 | —")
	assertCmpRows(t, body, "opam-packages-installede", "new-a | — | 1", "new-b | — | 1")
	assertCmpRows(t, body, "opam-packages-version-diff", "ver | 1 | 2")
	assertCmpRows(t, body, "duniverse-dirs-content-diff",
		"dir-b | https://x/b.tgz sha256="+strings.Repeat("2", 64)+" | https://x/b.tgz sha256="+strings.Repeat("4", 64),
		"dir-a | https://x/a.tgz sha256="+strings.Repeat("1", 64)+" | https://x/a.tgz sha256="+strings.Repeat("3", 64))
	// FreeBSD names keep their hyphens (product §2.10).
	assertCmpRows(t, body, "pkgs-changed", "py39-setuptools | 63.1 | 65.5.1")
	assertCmpRows(t, body, "pkgs-removed", "gone | 1.0 | —")
	ly, lx := strings.Index(body, "<code>lib-y.1</code>"), strings.Index(body, "<code>lib-x.1</code>")
	if ly < 0 || lx < 0 || ly > lx {
		t.Errorf("opam-file diffs not descending: lib-y at %d, lib-x at %d", ly, lx)
	}
	if strings.Contains(body, `id="env-`) {
		t.Error("equal environments show an env category")
	}

	var got cmpJSON
	cmpGetJSON(t, env, url, &got)
	var names []string
	for _, d := range got.OpamDiff.OpamDiff {
		names = append(names, d.PackageVersion)
	}
	if want := []string{"lib-y.1", "lib-x.1"}; !slices.Equal(names, want) {
		t.Errorf("opam_diff order = %v, want %v", names, want)
	}
	if want := []cmpNameVersion{{"gone-c", "1"}, {"gone-b", "1"}, {"gone-a", "1"}}; !slices.Equal(got.OpamDiff.OnlyInLeft, want) {
		t.Errorf("only_in_left = %v, want %v", got.OpamDiff.OnlyInLeft, want)
	}
	if want := []cmpNameVersion{{"new-b", "1"}, {"new-a", "1"}}; !slices.Equal(got.OpamDiff.OnlyInRight, want) {
		t.Errorf("only_in_right = %v, want %v", got.OpamDiff.OnlyInRight, want)
	}
	var du struct {
		DetailedDiff []struct {
			Name string `json:"name"`
		} `json:"detailed_diff"`
	}
	if err := json.Unmarshal(got.OpamDiff.DuniverseDiff, &du); err != nil || len(du.DetailedDiff) != 2 || du.DetailedDiff[0].Name != "dir-b" {
		t.Errorf("duniverse_diff = %s (%v), want detailed_diff dir-b, dir-a", got.OpamDiff.DuniverseDiff, err)
	}
}

// Reference §15.9: a malformed duniverse on either side replaces the three
// duniverse categories with one error, in HTML and as a JSON string.
func TestCompareDuniverseError(t *testing.T) {
	env := compareEnv(t)
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	files := func(root string) map[string][]byte {
		return map[string][]byte{"bin/app": []byte(root), "opam-switch": cmpSwitch(root, nil),
			"build-environment": []byte("A=1"), "system-packages": []byte("p=1")}
	}
	l := comparetest.Build{UUID: "33333333-3333-4333-8333-333333333333", Job: "dune", Start: start,
		Files: files(`x-opam-monorepo-duniverse-dirs: "oops"`)}
	r := comparetest.Build{UUID: "44444444-4444-4444-8444-444444444444", Job: "dune", Start: start.Add(time.Hour),
		Files: files(`x-opam-monorepo-duniverse-dirs: [["https://x/a.tgz" "a"]]`)}
	cmpUpload(t, env, l)
	cmpUpload(t, env, r)
	url := "/compare/" + l.UUID + "/" + r.UUID
	body := cmpGet(t, env, url, http.StatusOK)
	s := cmpSection(body, "duniverse-dirs-error")
	if s == "" || !strings.Contains(s, "expected a list or a nested list") || !strings.Contains(body, `<a href="#duniverse-dirs-error">Duniverse parsing error (1)</a>`) {
		t.Errorf("duniverse error not shown: %q", s)
	}
	if strings.Contains(body, `id="duniverse-dirs-installed"`) {
		t.Error("duniverse lists shown next to the error")
	}
	var got cmpJSON
	cmpGetJSON(t, env, url, &got)
	var msg string
	if err := json.Unmarshal(got.OpamDiff.DuniverseDiff, &msg); err != nil || !strings.Contains(msg, "expected a list") {
		t.Errorf("duniverse_diff = %s, want the error string", got.OpamDiff.DuniverseDiff)
	}
}

// A switch export that does not parse is named in the page (and JSON),
// the other categories still compare, and the answer is never a 500.
func TestCompareMalformedSwitch(t *testing.T) {
	env := compareEnv(t)
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	l := comparetest.Build{UUID: "55555555-5555-4555-8555-555555555555", Job: "broken", Start: start,
		Files: map[string][]byte{"bin/app": []byte("l"), "opam-switch": []byte("installed: [ \"unterminated"),
			"build-environment": []byte("A=1"), "system-packages": []byte("p=1")}}
	r := comparetest.Build{UUID: "66666666-6666-4666-8666-666666666666", Job: "broken", Start: start.Add(time.Hour),
		Files: map[string][]byte{"bin/app": []byte("r"), "opam-switch": cmpSwitch("", nil),
			"build-environment": []byte("A=2"), "system-packages": []byte("p=1")}}
	cmpUpload(t, env, l)
	cmpUpload(t, env, r)
	url := "/compare/" + l.UUID + "/" + r.UUID
	body := cmpGet(t, env, url, http.StatusOK)
	if s := cmpSection(body, "opam-switch-error"); !strings.Contains(s, "opam-switch of build "+l.UUID) {
		t.Errorf("parse error not shown naming the left build: %q", s)
	}
	assertCmpRows(t, body, "env-changed", "A | 1 | 2")
	var got struct {
		OpamError string `json:"opam_error"`
	}
	cmpGetJSON(t, env, url, &got)
	if !strings.Contains(got.OpamError, l.UUID) {
		t.Errorf("opam_error = %q, want it to name %s", got.OpamError, l.UUID)
	}
}

// The picker offers the recent comparable builds of each job, newest
// first, with the compared ones selected; failed builds are not offered.
func TestComparePicker(t *testing.T) {
	env := compareEnv(t, "compare_left", "compare_right", "success_hvt", "failed_exit1")
	body := cmpGet(t, env, "/compare/"+successUUID+"/"+rightUUID, http.StatusOK)
	form := body[strings.Index(body, `<form id="compare-picker"`):]
	form = form[:strings.Index(form, "</form>")]
	for _, want := range []string{`method="get" action="/compare"`, `hx-get="/compare"`, `hx-push-url="true"`, `<select name="left">`, `<select name="right">`} {
		if !strings.Contains(form, want) {
			t.Errorf("picker lacks %q", want)
		}
	}
	selects := regexp.MustCompile(`(?s)<select name="(left|right)">(.*?)</select>`).FindAllStringSubmatch(form, -1)
	if len(selects) != 2 {
		t.Fatalf("picker has %d selects, want 2", len(selects))
	}
	optRE := regexp.MustCompile(`<option value="([^"]+)"( selected)?>([^<]*)</option>`)
	for _, sel := range selects {
		var got []string
		for _, o := range optRE.FindAllStringSubmatch(sel[2], -1) {
			got = append(got, o[1]+o[2]+" "+html.UnescapeString(o[3]))
		}
		selected := successUUID
		if sel[1] == "right" {
			selected = rightUUID
		}
		mark := func(u string) string {
			if u == selected {
				return " selected"
			}
			return ""
		}
		want := []string{
			rightUUID + mark(rightUUID) + " 2024-09-06 13:20:11Z · debian-12 · ",
			leftUUID + mark(leftUUID) + " 2024-09-05 13:20:11Z · debian-12 · ",
			successUUID + mark(successUUID) + " 2024-09-04 13:20:11Z · debian-12 · ",
		}
		if len(got) != len(want) {
			t.Fatalf("%s options = %q, want %d", sel[1], got, len(want))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) || len(got[i]) != len(want[i])+12 {
				t.Errorf("%s option %d = %q, want %q + short hash", sel[1], i, got[i], want[i])
			}
		}
	}
}
