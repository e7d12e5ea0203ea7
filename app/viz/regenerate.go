package viz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/builder-web/builder-web/db"
)

// RegenerateReport counts what Regenerate did.
type RegenerateReport struct {
	Builds, Drawn, Skipped, Unusable, Failed int
}

// Regenerate draws the visualizations of every successful build into the
// current versions' directories (each input once, however many builds share
// it), with jobs draws at a time; force redraws files already there.
// progress is called after each build. When it went through every build
// it marks both directories done (.done, which verify-cache-dir expects).
// c should allow jobs draws at once (NewCache(st, jobs)).
func Regenerate(ctx context.Context, d *db.DB, c *Cache, jobs int, force bool, progress func(builds int)) (RegenerateReport, error) {
	var (
		rep  RegenerateReport
		mu   sync.Mutex
		wg   sync.WaitGroup
		seen = map[string]bool{}
	)
	tasks := make(chan Task)
	for range max(jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				var err error
				if t.Kind == KindDependencies {
					err = c.MakeDependencies(t.SHA, t.Hex)
				} else {
					err = c.MakeTreemap(t.SHA, t.Hex, t.Name)
				}
				mu.Lock()
				switch {
				case errors.Is(err, ErrUnusable):
					rep.Unusable++
				case err != nil:
					rep.Failed++
				default:
					rep.Drawn++
				}
				mu.Unlock()
			}
		}()
	}
	resolve := BuildTasks(d)
	var err error
	var after int64
loop:
	for {
		var builds []db.VizBuild
		if builds, err = d.VizBuilds(ctx, after, 500); err != nil || len(builds) == 0 {
			break
		}
		after = builds[len(builds)-1].ID
		for _, b := range builds {
			var ts []Task
			if ts, err = resolve(ctx, b.UUID); err != nil {
				break loop
			}
			for _, t := range ts {
				key := t.Kind + "/" + t.Hex
				if seen[key] {
					continue
				}
				seen[key] = true
				if !force && c.exists(Rel(t.Kind, version(t.Kind), t.Hex)) {
					mu.Lock()
					rep.Skipped++
					mu.Unlock()
					continue
				}
				select {
				case tasks <- t:
				case <-ctx.Done():
					err = ctx.Err()
					break loop
				}
			}
			rep.Builds++
			if progress != nil {
				progress(rep.Builds)
			}
		}
	}
	close(tasks)
	wg.Wait()
	if err != nil {
		return rep, err
	}
	for _, kind := range []string{KindDependencies, KindTreemap} {
		if err := c.write(filepath.ToSlash(filepath.Dir(filepath.FromSlash(Rel(kind, version(kind), "x"))))+"/.done", nil); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func version(kind string) int {
	if kind == KindTreemap {
		return TreemapVersion
	}
	return DependenciesVersion
}

func (c *Cache) exists(rel string) bool {
	fi, err := os.Stat(filepath.Join(c.store.Dir(), filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0
}
