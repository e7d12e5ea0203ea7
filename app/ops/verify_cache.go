package ops

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/db"
)

// VerifyCacheDir checks the visualization cache (reference §11.2
// verify-cache-dir, §10). Errors: the cache directory is missing; the
// dependency graph (keyed by the opam switch's hash) or the treemap (keyed
// by the debug binary's hash, for builds that have one) of a successful
// build is missing or empty in every version directory. Warnings: entries
// not named <kind>_<N>, a kind without any version directory, no .done
// marker in the highest version, and a file found only in an older version
// although the highest is marked done. A file in builder-web's own version
// directory is read: one of ours cut short is an error, another tool's a
// warning. Each file is checked once, however many builds share it.
func VerifyCacheDir(ctx context.Context, d *db.DB, cacheDir string, report func(Finding)) (VerifyReport, error) {
	var rep VerifyReport
	r := reporter{&rep, report}
	entries, err := os.ReadDir(cacheDir)
	if errors.Is(err, fs.ErrNotExist) {
		r.add(Error, cacheDir, "cache directory does not exist")
		return rep, nil
	}
	if err != nil {
		return rep, fmt.Errorf("cache directory: %w", err)
	}
	versions := map[string][]int{} // kind → versions, highest first
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		fi, err := os.Stat(filepath.Join(cacheDir, name))
		if err != nil {
			r.add(Warning, name, "unreadable: %v", err)
			continue
		}
		if !fi.IsDir() {
			if name != batchVizLog {
				r.add(Warning, name, "not a directory; ignored")
			}
			continue
		}
		kind, v, ok := parseVizDir(name)
		if !ok {
			r.add(Warning, name, "invalid cache subdirectory name (want dependencies_<N> or treemap_<N>)")
			continue
		}
		versions[kind] = append(versions[kind], v)
	}
	done := map[string]bool{}
	for _, kind := range vizKinds {
		vs := versions[kind]
		if len(vs) == 0 {
			r.add(Warning, kind+"_<N>", "no cache directory: %s visualizations are not cached", kind)
			continue
		}
		slices.Sort(vs)
		slices.Reverse(vs)
		marker := fmt.Sprintf("%s_%d/.done", kind, vs[0])
		if _, err := os.Stat(filepath.Join(cacheDir, filepath.FromSlash(marker))); err == nil {
			done[kind] = true
		} else {
			r.add(Warning, marker, "missing (is batch-viz.sh running now?)")
		}
	}

	checked := map[string]bool{}
	check := func(kind string, sha []byte, b db.VizBuild) {
		vs := versions[kind]
		if sha == nil || len(vs) == 0 {
			return
		}
		name := hex.EncodeToString(sha) + ".html"
		if checked[kind+"/"+name] {
			return
		}
		checked[kind+"/"+name] = true
		rep.Files++
		latest := fmt.Sprintf("%s_%d/%s", kind, vs[0], name)
		what := fmt.Sprintf("%s of build %s/%s", kind, b.Job, b.UUID)
		// Served from the highest version that has it (reference §10).
		for _, v := range vs {
			rel := fmt.Sprintf("%s_%d/%s", kind, v, name)
			fi, err := os.Stat(filepath.Join(cacheDir, filepath.FromSlash(rel)))
			if err != nil {
				continue
			}
			switch {
			case fi.Size() == 0:
				r.add(Error, rel, "empty (%s)", what)
			case v != vs[0] && done[kind]:
				r.add(Warning, latest, "missing although the cache is marked done; %s is served instead (%s)", rel, what)
			}
			// builder-web's own files must be whole; another tool's file
			// in that directory is served as it is, sandboxed.
			if v == viz.OurVersion(kind) && fi.Size() > 0 {
				switch err := viz.Check(filepath.Join(cacheDir, filepath.FromSlash(rel)), kind); {
				case errors.Is(err, viz.ErrNotOurs):
					r.add(Warning, rel, "not written by builder-web: served as it is, sandboxed (%s)", what)
				case err != nil:
					r.add(Error, rel, "%v; redraw it with builder-db viz --force (%s)", err, what)
				}
			}
			return
		}
		r.add(Error, latest, "missing (%s)", what)
	}
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		builds, err := d.VizBuilds(ctx, after, verifyPage)
		if err != nil {
			return rep, err
		}
		if len(builds) == 0 {
			return rep, nil
		}
		after = builds[len(builds)-1].ID
		for _, b := range builds {
			rep.Builds++
			check("dependencies", b.OpamSwitch, b)
			check("treemap", b.Debug, b)
		}
	}
}

// parseVizDir splits "<kind>_<N>" (N decimal digits).
func parseVizDir(name string) (kind string, version int, ok bool) {
	for _, k := range vizKinds {
		digits, found := strings.CutPrefix(name, k+"_")
		if !found || digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		v, err := strconv.Atoi(digits)
		if err != nil {
			return "", 0, false
		}
		return k, v, true
	}
	return "", 0, false
}
