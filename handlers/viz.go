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

// vizSource is a build and the input of one of its visualizations.
type vizSource struct {
	build *db.BuildInfo
	input *db.BuildArtifact
	hex   string
}

// dependenciesSource is the build's opam-switch; errNoViz without one.
func (h *Handler) dependenciesSource(c *fiber.Ctx) (*vizSource, error) {
	b, err := h.loadBuild(c)
	if err != nil {
		return nil, err
	}
	a, err := h.DB.ArtifactByPath(c.UserContext(), b.UUID, db.OpamSwitch)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errNoViz
	}
	if err != nil {
		return nil, fmt.Errorf("dependency graph of %s: %w", b.UUID, err)
	}
	return &vizSource{build: b, input: a, hex: views.Hex(a.SHA256)}, nil
}

// treemapSourceOf is the binary of a successful build's treemap (its debug
// binary, or the main binary itself, which may carry symbols); errNoViz for
// a failed build.
func (h *Handler) treemapSourceOf(c *fiber.Ctx) (*vizSource, error) {
	b, err := h.loadBuild(c)
	if err != nil {
		return nil, err
	}
	if b.Main == nil {
		return nil, errNoViz
	}
	a, err := h.treemapSource(c.UserContext(), b)
	if err != nil {
		return nil, fmt.Errorf("treemap of %s: %w", b.UUID, err)
	}
	return &vizSource{build: b, input: a, hex: views.Hex(a.SHA256)}, nil
}

// treemapSource is viz.TreemapSource, the one rule for the treemap's input.
func (h *Handler) treemapSource(ctx context.Context, b *db.BuildInfo) (*db.BuildArtifact, error) {
	return viz.TreemapSource(ctx, h.DB, b)
}

// loadViz returns the cached visualization of the highest version
// (viz.Cache.Load), drawing ours first when nothing is cached. A file the
// reference's tools cached is used as it is (it wins until `builder-db viz`
// writes ours), so no request pays for redrawing it.
func (h *Handler) loadViz(kind string, s *vizSource) (*viz.Cached, error) {
	v, ok, err := h.Viz.Load(kind, s.hex)
	if err != nil || ok {
		return v, err
	}
	if kind == vizDependencies {
		err = h.Viz.MakeDependencies(s.input.SHA256, s.hex)
	} else {
		err = h.Viz.MakeTreemap(s.input.SHA256, s.hex, path.Base(s.input.Filepath))
	}
	if errors.Is(err, viz.ErrUnusable) {
		return nil, errNoViz
	}
	if err != nil {
		return nil, fmt.Errorf("%s of %s: %w", kind, s.build.UUID, err)
	}
	v, ok, err = h.Viz.Load(kind, s.hex)
	if err == nil && !ok {
		return nil, errNoViz
	}
	return v, err
}

// sendForeign serves a cached file of the reference's tools as it is: its
// own inline scripts run, but in a sandbox (an opaque origin), where they
// can neither read the site nor use a visitor's cookies.
func (h *Handler) sendForeign(c *fiber.Ctx, v *viz.Cached) error {
	setSandbox(c, vizPolicy)
	return h.sendHashed(c, v.Rel, "text/html; charset=utf-8")
}

// vizPage is what the visualization pages share: the build, crumbs, title.
func vizPage(s *vizSource, name, suffix string) (views.VizBuild, []views.Crumb) {
	url := views.BuildURL(s.build.JobName, s.build.UUID) + "/" + suffix
	vb := views.VizBuild{Job: s.build.JobName, Start: s.build.Start(), BuildURL: views.BuildURL(s.build.JobName, s.build.UUID), URL: url}
	return vb, append(buildCrumbs(s.build), views.Crumb{Text: name, URL: url})
}

// VizPreview is GET /job/:job/build/:build/vizdependencies/preview.svg and
// …/viztreemap/preview.svg: our drawing as an image, the build page's
// small preview (an image runs no script and loads nothing). 404 when
// there is none, or only a file of the reference's tools (the build page
// frames those).
func (h *Handler) VizPreview(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var s *vizSource
		var err error
		if kind == vizDependencies {
			s, err = h.dependenciesSource(c)
		} else {
			s, err = h.treemapSourceOf(c)
		}
		if err != nil {
			return err
		}
		v, err := h.loadViz(kind, s)
		if err != nil {
			return err
		}
		if !v.Ours {
			return errNoViz
		}
		svg := v.PreviewSVG(kind)
		if svg == nil {
			return errNoViz
		}
		setSandbox(c, vizImagePolicy)
		c.Set(fiber.HeaderContentType, "image/svg+xml")
		return c.Send(svg)
	}
}

// vizImagePolicy lets the preview image use its own inline style and
// nothing else.
const vizImagePolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// vizPreview is how the build page shows a preview: at all (show), and in
// a sandboxed frame (frame) rather than as our image.
func vizPreview(p viz.Preview) (show, frame bool) {
	return p != viz.NoPreview, p == viz.PreviewFrame
}
