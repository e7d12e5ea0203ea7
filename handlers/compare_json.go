package handlers

import (
	"github.com/builder-web/builder-web/app/compare"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/app/repro"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

func compareJSON(res *compare.Result) views.CompareJSON {
	o := res.Opam
	out := views.CompareJSON{
		Left:        compareBuildJSON(res.Left),
		Right:       compareBuildJSON(res.Right),
		EnvDiff:     kvDiffJSON(res.Env),
		PackageDiff: kvDiffJSON(res.Packages),
		OpamError:   res.OpamErr,
		OpamDiff: views.OpamDiffJSON{
			OpamDiff: rows(descending(o.OpamDiff), opamFileDiffJSON),
			VersionDiff: rows(o.VersionDiff, func(v opam.VersionChange) views.VersionChangeJSON {
				return views.VersionChangeJSON{Name: v.Name, VersionLeft: v.Left, VersionRight: v.Right}
			}),
			OnlyInLeft:  rows(descending(o.OnlyInLeft), packageJSON),
			OnlyInRight: rows(descending(o.OnlyInRight), packageJSON),
		},
	}
	pair := repro.Compare(reproBuildOf(res.Left), reproBuildOf(res.Right))
	out.MainBinary, out.SameInput = comparePairJSON(pair), pair.SameInput
	if du := o.Duniverse; du.Err != "" {
		out.OpamDiff.DuniverseDiff = du.Err
	} else {
		dir := func(d opam.DuniverseDir) views.DuniverseDirJSON {
			return views.DuniverseDirJSON{Name: d.Dir, Value: d.URL}
		}
		out.OpamDiff.DuniverseDiff = views.DuniverseDiffJSON{
			Left:  rows(du.Left, dir),
			Right: rows(du.Right, dir),
			DetailedDiff: rows(descending(du.Changed), func(c opam.DuniverseChange) views.DuniverseChangeJSON {
				return views.DuniverseChangeJSON{Name: c.Dir, URLLeft: c.URLLeft, URLRight: c.URLRight,
					Hashes: rows(c.Hashes, func(h opam.HashChange) views.HashDiffJSON {
						return views.HashDiffJSON{Kind: h.Kind, Left: h.Left, Right: h.Right}
					})}
			}),
		}
	}
	return out
}

func compareBuildJSON(b *db.BuildInfo) views.CompareBuildJSON {
	out := views.CompareBuildJSON{
		Job: b.JobName, UUID: b.Build.UUID, Platform: b.Build.Platform,
		StartTime: views.FormatRFC3339JSON(b.Build.Start()), FinishTime: views.FormatRFC3339JSON(b.Build.Finish()),
		MainBinary: b.Build.MainBinary != nil,
	}
	if b.Main != nil {
		size := b.Main.Size
		out.MainBinarySize = &size
	}
	return out
}

func kvDiffJSON(d compare.KVDiff) views.KVDiffJSON {
	nv := func(e compare.Entry) views.NameVersionJSON {
		return views.NameVersionJSON{Name: e.Name, Version: e.Value}
	}
	entry := func(e compare.Entry) views.EntryJSON { return views.EntryJSON(e) }
	return views.KVDiffJSON{
		LeftPackages:  rows(d.Added, nv),
		RightPackages: rows(d.Removed, nv),
		DifferentVersions: rows(d.Changed, func(c compare.Change) views.VersionChangeJSON {
			return views.VersionChangeJSON{Name: c.Name, VersionLeft: c.Left, VersionRight: c.Right}
		}),
		Added:   rows(d.Added, entry),
		Removed: rows(d.Removed, entry),
		Changed: rows(d.Changed, func(c compare.Change) views.ChangeJSON { return views.ChangeJSON(c) }),
	}
}

func packageJSON(p opam.Package) views.NameVersionJSON {
	return views.NameVersionJSON{Name: p.Name, Version: p.Version}
}

func opamFileDiffJSON(d opam.FileDiff) views.OpamFileDiffJSON {
	return views.OpamFileDiffJSON{PackageVersion: d.Package.String(), EffectivelyEqual: d.EffectivelyEqual, Diff: d.Diff}
}
