package viz

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/builder-web/builder-web/db"
)

// TreemapSource is the binary a successful build's treemap is drawn from:
// its debug binary (by db.DebugArtifact's rule), else its main binary.
func TreemapSource(ctx context.Context, d *db.DB, b *db.BuildInfo) (*db.BuildArtifact, error) {
	a, err := d.DebugArtifact(ctx, b.ID, b.Main.Filepath)
	if errors.Is(err, db.ErrNotFound) {
		return b.Main, nil
	}
	return a, err
}

// BuildTasks is the Resolver over the database: a successful build's
// dependency graph (when it has an opam-switch) and treemap.
func BuildTasks(d *db.DB) Resolver {
	return func(ctx context.Context, uuid string) ([]Task, error) {
		b, err := d.BuildByUUID(ctx, uuid)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", uuid, err)
		}
		if b.Main == nil {
			return nil, nil // failed: no visualizations
		}
		var tasks []Task
		sw, err := d.ArtifactByPath(ctx, b.UUID, db.OpamSwitch)
		switch {
		case err == nil:
			tasks = append(tasks, Task{Kind: KindDependencies, SHA: sw.SHA256, Hex: fmt.Sprintf("%x", sw.SHA256), Name: db.OpamSwitch})
		case !errors.Is(err, db.ErrNotFound):
			return nil, fmt.Errorf("build %s: %w", uuid, err)
		}
		src, err := TreemapSource(ctx, d, b)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", uuid, err)
		}
		tasks = append(tasks, Task{Kind: KindTreemap, SHA: src.SHA256, Hex: fmt.Sprintf("%x", src.SHA256), Name: path.Base(src.Filepath)})
		return tasks, nil
	}
}
