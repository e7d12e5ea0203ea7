package handlers_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
)

func TestBuildPageReproducibilityVectors(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt", "compare_left", "compare_right")
	success, left, right := sidecarOf(t, "success_hvt"), sidecarOf(t, "compare_left"), sidecarOf(t, "compare_right")
	if *success.Derived.InputID != *left.Derived.InputID || success.Derived.Stored[0].SHA256 != left.Derived.Stored[0].SHA256 {
		t.Fatal("the vectors changed: success_hvt and compare_left no longer share input and output")
	}
	if *right.Derived.InputID == *left.Derived.InputID || right.Derived.Stored[0].SHA256 == left.Derived.Stored[0].SHA256 {
		t.Fatal("the vectors changed: compare_right no longer differs from compare_left")
	}

	tests := []struct {
		uuid        string
		verdict     string
		line        string
		reproduced  string   // text of the "Reproduced by" section
		links       []string // hrefs in that section
		comparisons string   // text of the comparisons section
		compLinks   []string
	}{
		{
			uuid:        uuidSuccess,
			verdict:     "reproducible",
			line:        "Reproduced by 1 build of the same input.",
			reproduced:  "Reproduced by 1 build of the same input 2024-09-05 13:20:11Z by builder ( compare )",
			links:       []string{buildURL("hello-hvt", uuidLeft), "/compare/" + uuidLeft + "/" + uuidSuccess},
			comparisons: "Latest build 2024-09-06 13:20:11Z Later build with different output 2024-09-06 13:20:11Z",
			compLinks:   []string{"/compare/" + uuidRight + "/" + uuidSuccess},
		},
		{
			uuid:        uuidLeft,
			verdict:     "reproducible",
			line:        "Reproduced by 1 build of the same input.",
			reproduced:  "Reproduced by 1 build of the same input 2024-09-04 13:20:11Z by builder ( compare )",
			links:       []string{buildURL("hello-hvt", uuidSuccess)},
			comparisons: "Latest build 2024-09-06 13:20:11Z Later build with different output 2024-09-06 13:20:11Z",
			compLinks:   []string{"/compare/" + uuidRight + "/" + uuidLeft},
		},
		{
			uuid:        uuidRight,
			verdict:     "unverified",
			line:        "No other build of the same input yet.",
			reproduced:  "Reproduced by 0 builds of the same input",
			comparisons: "Earlier build with different output 2024-09-05 13:20:11Z",
			compLinks:   []string{"/compare/" + uuidLeft + "/" + uuidRight},
		},
	}
	for _, tt := range tests {
		t.Run(tt.uuid, func(t *testing.T) {
			html := page(t, env, buildURL("hello-hvt", tt.uuid))
			// The glyph, then the verdict, then the line naming the counts.
			mark := regexp.MustCompile(`(?s)<p class="repro"><span class="verdict [^"]*"><span class="mark" aria-hidden="true">[^<]*</span> (.*?)</span>: (.*?) <small>`).FindStringSubmatch(html)
			if mark == nil || mark[1] != tt.verdict || mark[2] != tt.line {
				t.Errorf("verdict line = %q, want %q: %q", mark, tt.verdict, tt.line)
			}
			repro := section(html, `<h3 id="reproduced">`)
			if got := text(`<h3>` + repro); got != tt.reproduced {
				t.Errorf("reproduced section = %q, want %q", got, tt.reproduced)
			}
			for _, l := range tt.links {
				assertContains(t, "reproduced section", repro, `href="`+l+`"`)
			}
			cmp := section(html, "Comparisons with other builds on the same platform</h3>")
			if got := text(cmp); got != tt.comparisons {
				t.Errorf("comparisons = %q, want %q", got, tt.comparisons)
			}
			for _, l := range tt.compLinks {
				assertContains(t, "comparisons", cmp, `href="`+l+`"`)
			}
			assertLacks(t, "page", html, "not reproducible", `id="differs"`)
		})
	}
}

// Records built here cover the relations of the reproducibility model
// (issue 12): builds are grouped by job, platform and input id.
//
//	r1 input A, output X (job repro)        t0
//	r2 input A, output Y                    t0+1h
//	r3 input B, output X                    t0+2h
//	r4 input B, output X                    t0+3h
//	r5 input A, output Y                    t0+4h
//	r6 input A, output X (job repro-other)  t0+5h, platform freebsd-14: another group
//	r7 failed (no bin/), input A            t0+6h
func TestBuildPageReproducibilityRelations(t *testing.T) {
	env := newEnv(t)
	mk := func(n int, job, platform, input, output string) rec {
		r := rec{job: job, platform: platform, uuid: testUUID(n), start: t0.Add(time.Duration(n-1) * time.Hour)}
		r.files = inputFiles(input)
		if output != "" {
			r.files = append([]builder.File{binary("bin/repro.hvt", output)}, r.files...)
		}
		return r
	}
	recs := []rec{
		mk(1, "repro", "debian-12", "A", "X"),
		mk(2, "repro", "debian-12", "A", "Y"),
		mk(3, "repro", "debian-12", "B", "X"),
		mk(4, "repro", "debian-12", "B", "X"),
		mk(5, "repro", "debian-12", "A", "Y"),
		mk(6, "repro-other", "freebsd-14", "A", "X"),
		mk(7, "repro", "debian-12", "A", ""),
	}
	for _, r := range recs {
		upload(t, env, r.encode(t))
	}
	u := testUUID
	cmp := func(that, this int) string { return `href="/compare/` + u(that) + "/" + u(this) + `"` }

	t.Run("r1", func(t *testing.T) {
		html := page(t, env, buildURL("repro", u(1)))
		assertContains(t, "verdict", html, `<span class="verdict verdict-not-reproducible">`,
			"not reproducible</span>: Differs from 2 builds of the same input.")
		repro := section(html, `<h3 id="reproduced">`)
		if got, want := text("<h3>"+repro), "Reproduced by 0 builds of the same input"; got != want {
			t.Errorf("reproduced = %q, want %q", got, want)
		}
		// Another job (r6) is another group, never a reproduction.
		assertLacks(t, "page", html, u(6))

		differs := section(html, `<h3 id="differs">`)
		if got, want := text("<h3>"+differs), "Differs from 2 builds of the same input (not reproducible) 2025-03-01 14:00:00Z by builder ( compare ) 2025-03-01 11:00:00Z by builder ( compare )"; got != want {
			t.Errorf("differs = %q, want %q", got, want)
		}
		assertContains(t, "differs", differs, cmp(5, 1), cmp(2, 1))

		// Input B made the same binary: named apart, newest per input (r4, not r3).
		unchanged := section(html, `<h3 id="unchanged">`)
		assertContains(t, "unchanged", unchanged, "output unchanged by an input change", cmp(4, 1))
		assertLacks(t, "unchanged", unchanged, u(3))

		comps := section(html, "Comparisons with other builds on the same platform</h3>")
		if got, want := text(comps), "Latest build 2025-03-01 14:00:00Z Later build with different output 2025-03-01 11:00:00Z"; got != want {
			t.Errorf("comparisons = %q, want %q", got, want)
		}
		assertContains(t, "comparisons", comps, cmp(5, 1), cmp(2, 1))
	})

	t.Run("r3", func(t *testing.T) {
		html := page(t, env, buildURL("repro", u(3)))
		assertContains(t, "verdict", html, "reproducible</span>: Reproduced by 1 build of the same input.")
		repro := section(html, `<h3 id="reproduced">`)
		if got, want := text("<h3>"+repro), "Reproduced by 1 build of the same input 2025-03-01 13:00:00Z by builder ( compare )"; got != want {
			t.Errorf("reproduced = %q, want %q", got, want)
		}
		assertContains(t, "reproduced", repro, `href="`+buildURL("repro", u(4))+`"`, cmp(4, 3))
		assertLacks(t, "page", html, `id="differs"`, u(6))
		assertContains(t, "unchanged", section(html, `<h3 id="unchanged">`), cmp(1, 3))
	})

	t.Run("r5 is the latest", func(t *testing.T) {
		html := page(t, env, buildURL("repro", u(5)))
		comps := section(html, "Comparisons with other builds on the same platform</h3>")
		if got, want := text(comps), "Earlier build with different output 2025-03-01 13:00:00Z"; got != want {
			t.Errorf("comparisons = %q, want %q", got, want)
		}
		// r5 reproduces r2 (same input A, output Y) and differs from r1.
		assertContains(t, "verdict", html, "Reproduced by 1 build of the same input, differs from 1.")
		assertContains(t, "reproduced", section(html, `<h3 id="reproduced">`), `href="`+buildURL("repro", u(2))+`"`)
		assertContains(t, "differs", section(html, `<h3 id="differs">`), cmp(1, 5))
	})

	t.Run("failed build", func(t *testing.T) {
		html := page(t, env, buildURL("repro", u(7)))
		assertLacks(t, "failed build", html, "Reproduced by", "not reproducible", `class="repro"`, "different output")
		comps := section(html, "Comparisons with other builds on the same platform</h3>")
		if got, want := text(comps), "Latest build 2025-03-01 14:00:00Z"; got != want {
			t.Errorf("comparisons = %q, want %q", got, want)
		}
	})
}

// The build page shows a visualization only where one can be drawn: the
// treemap for a debug binary (named after the main binary) or main binary
// with symbols, the graph for an opam-switch with a root; a build with
// neither, or a failed build, has no visualization box at all.
