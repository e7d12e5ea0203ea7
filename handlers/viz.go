package handlers

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/viz"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// Visualization kinds: the prefix of their cache directories (reference §10).
const (
	vizDependencies = viz.KindDependencies
	vizTreemap      = viz.KindTreemap
)

// errNoViz is the 404 of a missing visualization. The error handler shows
// it as the "Visualization not found" page inside the build page's iframes
// (Sec-Fetch-Dest: iframe) and as the ordinary 404 page elsewhere.
var errNoViz = httperr.NotFound("Visualization not found")

// VizDependencies is GET /job/:job/build/:build/vizdependencies: the cached
// opam dependency graph, keyed by the SHA-256 of the build's opam-switch.
func (h *Handler) VizDependencies(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	a, err := h.DB.ArtifactByPath(c.UserContext(), b.UUID, "opam-switch")
	if errors.Is(err, db.ErrNotFound) {
		return errNoViz
	}
	if err != nil {
		return fmt.Errorf("dependency graph of %s: %w", b.UUID, err)
	}
	err = h.sendViz(c, vizDependencies, a.SHA256)
	if !errors.Is(err, errNoViz) {
		return err
	}
	// Nothing cached yet: draw it once, then serve the file. A graph the
	// reference's opam-graph cached is served as it is (it wins until
	// `builder-db viz` writes ours), so no request pays for redrawing it.
	err = h.Viz.MakeDependencies(a.SHA256, views.Hex(a.SHA256))
	if errors.Is(err, viz.ErrUnusable) {
		return errNoViz
	}
	if err != nil {
		return fmt.Errorf("dependency graph of %s: %w", b.UUID, err)
	}
	return h.sendViz(c, vizDependencies, a.SHA256)
}

// VizTreemap is GET /job/:job/build/:build/viztreemap: the size treemap of
// the main binary, keyed by the SHA-256 of its debug binary, or of the main
// binary itself when there is no debug binary (it may carry symbols).
func (h *Handler) VizTreemap(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	if b.Main == nil {
		return errNoViz
	}
	a, err := h.treemapSource(c.UserContext(), b)
	if err != nil {
		return fmt.Errorf("treemap of %s: %w", b.UUID, err)
	}
	err = h.sendViz(c, vizTreemap, a.SHA256)
	if !errors.Is(err, errNoViz) {
		return err
	}
	// As for the graph: drawn once when nothing is cached.
	err = h.Viz.MakeTreemap(a.SHA256, views.Hex(a.SHA256), path.Base(a.Filepath))
	if errors.Is(err, viz.ErrUnusable) {
		return errNoViz
	}
	if err != nil {
		return fmt.Errorf("treemap of %s: %w", b.UUID, err)
	}
	return h.sendViz(c, vizTreemap, a.SHA256)
}

// treemapSource is viz.TreemapSource, the one rule for the treemap's input.
func (h *Handler) treemapSource(ctx context.Context, b *db.BuildInfo) (*db.BuildArtifact, error) {
	return viz.TreemapSource(ctx, h.DB, b)
}

// sendViz serves _cache/<kind>_<N>/<hash>.html for the highest N that has
// it (viz.Cache.Lookup): the newest format version first, older ones until
// the batch job has regenerated them (reference §10).
func (h *Handler) sendViz(c *fiber.Ctx, kind string, sha []byte) error {
	rel, ok, err := h.Viz.Lookup(kind, views.Hex(sha))
	if err != nil {
		return err
	}
	if !ok {
		return errNoViz
	}
	setSandbox(c, vizPolicy)
	return h.sendHashed(c, rel, "text/html; charset=utf-8")
}
