package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/builder-web/builder-web/app/repro"

	"github.com/builder-web/builder-web/app/compare"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// pickerSize is how many recent builds of each job the picker offers.
const pickerSize = 50

// comparePage turns a comparison into the compare page: the categories of
// reference §7.5 in its order and with its anchors, each side by side, plus
// (with all) the unchanged entries.
func (h *Handler) comparePage(ctx context.Context, res *compare.Result, all bool) (*views.ComparePage, error) {
	l, r := res.Left, res.Right
	p := &views.ComparePage{
		Left:       compareBuild(l),
		Right:      compareBuild(r),
		URL:        views.CompareViewURL(l.Build.UUID, r.Build.UUID, all),
		ReverseURL: views.CompareViewURL(r.Build.UUID, l.Build.UUID, all),
		All:        all,
		OnlyURL:    views.CompareViewURL(l.Build.UUID, r.Build.UUID, false),
		AllURL:     views.CompareViewURL(l.Build.UUID, r.Build.UUID, true),
	}
	leftJob, err := h.DB.ComparableBuilds(ctx, l.Build.JobID, pickerSize)
	if err != nil {
		return nil, fmt.Errorf("compare picker: %w", err)
	}
	rightJob := leftJob
	if r.Build.JobID != l.Build.JobID {
		if rightJob, err = h.DB.ComparableBuilds(ctx, r.Build.JobID, pickerSize); err != nil {
			return nil, fmt.Errorf("compare picker: %w", err)
		}
	}
	p.LeftPicks, p.RightPicks = pickOptions(leftJob, l), pickOptions(rightJob, r)
	pair := repro.Compare(reproBuildOf(l), reproBuildOf(r))
	p.Binaries = views.CompareBinaries{Line: pair.Line(), Identical: pair.IdenticalOutputs,
		SameInput: pair.SameInput, Left: pair.LeftOutput, Right: pair.RightOutput}
	// Two different main binaries: why they differ, and how their sizes did.
	if pair.LeftOutput != "" && pair.RightOutput != "" && !pair.IdenticalOutputs {
		p.Binaries.DiffoscopeURL = views.CompareURL(l.Build.UUID, r.Build.UUID) + "/diffoscope"
		p.Binaries.SizesURL = views.CompareURL(l.Build.UUID, r.Build.UUID) + "/sizes"
	}
	p.SameBuild = l.Build.UUID == r.Build.UUID
	p.Sections = compareSections(res, all)
	p.Identical = !slices.ContainsFunc(p.Sections, func(s views.CompareSection) bool { return !s.Same })
	return p, nil
}

func compareBuild(b *db.BuildInfo) views.CompareBuild {
	return views.CompareBuild{
		Job: b.JobName, UUID: b.Build.UUID, URL: views.BuildURL(b.JobName, b.Build.UUID),
		Platform: b.Build.Platform, Start: b.Build.Start(),
	}
}

// pickOptions offers builds in the picker with the compared build b
// selected; b is added if it is older than the listed ones.
func pickOptions(builds []db.ComparableBuild, b *db.BuildInfo) []views.CompareOption {
	opts := make([]views.CompareOption, 0, len(builds)+1)
	found := false
	for _, cb := range builds {
		sel := cb.UUID == b.Build.UUID
		found = found || sel
		opts = append(opts, views.CompareOption{UUID: cb.UUID, Label: pickLabel(cb.Start(), cb.Platform, cb.MainSHA256), Selected: sel})
	}
	if !found {
		var sha []byte
		if b.Main != nil {
			sha = b.Main.SHA256
		}
		opts = append(opts, views.CompareOption{UUID: b.Build.UUID, Label: pickLabel(b.Build.Start(), b.Build.Platform, sha), Selected: true})
	}
	return opts
}

// pickLabel names a build in the picker: start time, platform and the
// short hash of its main binary, which tells builds with equal output apart
// from the others at a glance.
func pickLabel(start time.Time, platform string, sha []byte) string {
	label := views.FormatTime(start) + " · " + platform
	if len(sha) > 0 {
		label += " · " + views.ShortHash(views.Hex(sha))
	}
	return label
}

// compareSections lists the non-empty categories of reference §7.5 in its
// order; with all, the unchanged entries follow each group.
func compareSections(res *compare.Result, all bool) []views.CompareSection {
	var out []views.CompareSection
	add := func(s views.CompareSection) {
		if s.Count == 0 {
			s.Count = len(s.Rows) + len(s.Diffs)
		}
		if s.Count > 0 {
			out = append(out, s)
		}
	}
	o := res.Opam
	if res.OpamErr != "" {
		// Not in the reference (it answers 500): the opam categories are
		// empty, the environment and system packages still compare.
		add(views.CompareSection{ID: "opam-switch-error", Title: "Opam switch export could not be read", Count: 1, Error: res.OpamErr})
	}
	add(views.CompareSection{ID: "opam-packages-removed", Title: "Opam packages removed", NameHeader: "Package",
		Rows: rows(o.OnlyInLeft, func(p opam.Package) views.CompareRow {
			return views.CompareRow{Name: p.Name, Left: p.Version, RightAbsent: true}
		})})
	// The reference's id has this typo; links to it exist.
	add(views.CompareSection{ID: "opam-packages-installede", Title: "New opam packages installed", NameHeader: "Package",
		Rows: rows(o.OnlyInRight, func(p opam.Package) views.CompareRow {
			return views.CompareRow{Name: p.Name, LeftAbsent: true, Right: p.Version}
		})})
	add(views.CompareSection{ID: "opam-packages-version-diff", Title: "Opam packages with version changes", NameHeader: "Package",
		Rows: rows(o.VersionDiff, func(v opam.VersionChange) views.CompareRow {
			return views.CompareRow{Name: v.Name, Left: v.Left, Right: v.Right}
		})})
	if du := o.Duniverse; du.Err != "" {
		// Reference §15.9: an error hides the three duniverse categories.
		add(views.CompareSection{ID: "duniverse-dirs-error", Title: "Duniverse parsing error", Count: 1, Error: du.Err})
	} else {
		add(views.CompareSection{ID: "duniverse-dirs-removed", Title: "Duniverse directories removed", NameHeader: "Directory",
			Rows: rows(du.Left, func(d opam.DuniverseDir) views.CompareRow {
				return views.CompareRow{Name: d.Dir, Left: d.URL, RightAbsent: true}
			})})
		add(views.CompareSection{ID: "duniverse-dirs-installed", Title: "New duniverse directories installed", NameHeader: "Directory",
			Rows: rows(du.Right, func(d opam.DuniverseDir) views.CompareRow {
				return views.CompareRow{Name: d.Dir, LeftAbsent: true, Right: d.URL}
			})})
		add(views.CompareSection{ID: "duniverse-dirs-content-diff", Title: "Duniverse directories with content changes", NameHeader: "Directory",
			Rows: rows(descending(du.Changed), duniverseRow)})
	}
	add(views.CompareSection{ID: "opam-packages-opam-diff", Title: "Opam packages with changes in their opam file",
		Diffs: rows(descending(o.OpamDiff), func(d opam.FileDiff) views.CompareOpamDiff {
			added, removed := diffStat(d.Diff)
			return views.CompareOpamDiff{
				Package: d.Package.String(), URL: opamFileURL(res, d.Package.Name),
				Added: added, Removed: removed, EffectivelyEqual: d.EffectivelyEqual,
			}
		})})
	if all {
		add(views.CompareSection{ID: "opam-packages-unchanged", Title: "Opam packages unchanged", NameHeader: "Package", Same: true,
			Rows: rows(res.OpamUnchanged, func(p opam.Package) views.CompareRow {
				return views.CompareRow{Name: p.Name, Left: p.Version, Right: p.Version}
			})})
	}
	kvSections(add, res.Env, all, "env", "Variable", "Environment variables removed", "New environment variables added",
		"Environment variables changed", "Environment variables unchanged")
	kvSections(add, res.Packages, all, "pkgs", "Package", "System packages removed", "New system packages added",
		"System packages changed", "System packages unchanged")
	return out
}

func kvSections(add func(views.CompareSection), d compare.KVDiff, all bool, prefix, header, removed, added, changed, same string) {
	add(views.CompareSection{ID: prefix + "-removed", Title: removed, NameHeader: header,
		Rows: rows(d.Removed, func(e compare.Entry) views.CompareRow {
			return views.CompareRow{Name: e.Name, Left: e.Value, RightAbsent: true}
		})})
	add(views.CompareSection{ID: prefix + "-added", Title: added, NameHeader: header,
		Rows: rows(d.Added, func(e compare.Entry) views.CompareRow {
			return views.CompareRow{Name: e.Name, LeftAbsent: true, Right: e.Value}
		})})
	add(views.CompareSection{ID: prefix + "-changed", Title: changed, NameHeader: header,
		Rows: rows(d.Changed, func(c compare.Change) views.CompareRow {
			return views.CompareRow{Name: c.Name, Left: c.Left, Right: c.Right}
		})})
	if all {
		add(views.CompareSection{ID: prefix + "-unchanged", Title: same, NameHeader: header, Same: true,
			Rows: rows(d.Unchanged, func(e compare.Entry) views.CompareRow {
				return views.CompareRow{Name: e.Name, Left: e.Value, Right: e.Value}
			})})
	}
}

// duniverseRow shows a changed duniverse directory: its URL on each side
// and the hashes that differ, a missing one as NONE (reference §7.5).
func duniverseRow(c opam.DuniverseChange) views.CompareRow {
	var l, r strings.Builder
	l.WriteString(c.URLLeft)
	r.WriteString(c.URLRight)
	for _, h := range c.Hashes {
		l.WriteString("\n" + h.Kind + "=" + valueOrNone(h.Left))
		r.WriteString("\n" + h.Kind + "=" + valueOrNone(h.Right))
	}
	return views.CompareRow{Name: c.Dir, Left: l.String(), Right: r.String()}
}

func valueOrNone(s *string) string {
	if s == nil {
		return "NONE"
	}
	return *s
}

func opamFileURL(res *compare.Result, name string) string {
	return views.CompareURL(res.Left.Build.UUID, res.Right.Build.UUID) + "/opam/" + views.PathEscape(name)
}

func rows[T, R any](in []T, f func(T) R) []R {
	out := make([]R, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// descending reverses an ascending list: the reference shows opam-file and
// duniverse content diffs in descending name order (§15.20).
func descending[T any](in []T) []T {
	out := slices.Clone(in)
	slices.Reverse(out)
	return out
}

// diffStat counts the added and removed lines of a unified diff.
func diffStat(diff string) (added, removed int) {
	for line := range strings.SplitSeq(diff, "\n") {
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"):
		case strings.HasPrefix(line, "+"):
			added++
		case strings.HasPrefix(line, "-"):
			removed++
		}
	}
	return added, removed
}

// diffLines classifies the lines of a unified diff for colouring.
func diffLines(diff string) []views.DiffLine {
	diff = strings.TrimSuffix(diff, "\n")
	var out []views.DiffLine
	for line := range strings.SplitSeq(diff, "\n") {
		kind := ""
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"):
			kind = "file"
		case strings.HasPrefix(line, "@@"):
			kind = "hunk"
		case strings.HasPrefix(line, "+"):
			kind = "add"
		case strings.HasPrefix(line, "-"):
			kind = "del"
		}
		out = append(out, views.DiffLine{Kind: kind, Text: line})
	}
	return out
}
