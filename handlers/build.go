package handlers

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

func resultJSON(r builder.Result) views.ResultJSON {
	if r.Kind == builder.Msg {
		return views.ResultJSON{Kind: r.Kind.String(), Msg: r.Msg}
	}
	code := r.Code
	return views.ResultJSON{Kind: r.Kind.String(), Code: &code}
}

// solo5Info reads the solo5 notes of a main binary; nil when a is nil, is no
// unikernel, or has no readable note.
func (h *Handler) solo5Info(a *db.BuildArtifact) *solo5.Info {
	if a == nil {
		return nil
	}
	var openErr error
	info, err := h.Solo5.Read(a.SHA256, func() (solo5.File, error) {
		f, err := h.Store.OpenArtifact(a.SHA256)
		if err != nil {
			openErr = err
			return nil, err // a nil *os.File must not become a non-nil File
		}
		return f, nil
	})
	// Most binaries are no unikernels. A missing file is the store's
	// trouble; malformed notes are the uploader's, remembered by the cache
	// and so seen on every view: only worth a debug line.
	switch {
	case h.Log == nil || err == nil || errors.Is(err, solo5.ErrNotSolo5):
	case openErr != nil:
		h.Log.Warn("opening main binary for its solo5 notes", "artifact", a.Filepath, "err", err)
	default:
		h.Log.Debug("malformed solo5 notes", "artifact", a.Filepath, "err", err)
	}
	return info
}

// loadBuild finds the build named by the :build parameter; the :job
// segment is ignored (reference §5, product.md §2.13).
func (h *Handler) loadBuild(c *fiber.Ctx) (*db.BuildInfo, error) {
	uuid, err := uuidParam(c, "build")
	if err != nil {
		return nil, err
	}
	b, err := h.DB.BuildByUUID(c.UserContext(), uuid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, httperr.NotFound("Build not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load build %s: %w", uuid, err)
	}
	return b, nil
}

// Build is GET /job/:job/build/:build.
func (h *Handler) Build(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	res := builder.UnpackResult(b.Build.ResultCode, b.Build.ResultMsg)
	out := views.BuildJSON{
		Job:        b.JobName,
		UUID:       b.Build.UUID,
		Platform:   b.Build.Platform,
		StartTime:  views.FormatRFC3339JSON(b.Build.Start()),
		FinishTime: views.FormatRFC3339JSON(b.Build.Finish()),
		MainBinary: b.Build.MainBinary != nil,
		Result:     resultJSON(res),
	}
	info := h.solo5Info(b.Main)
	if info != nil {
		out.Solo5Manifest, out.Solo5ABI = info.Manifest, info.ABI
	}
	c.Vary("Accept")
	if WantsJSON(c) {
		standing, err := h.standing(c.UserContext(), b)
		if err != nil {
			return fmt.Errorf("build %s: %w", b.UUID, err)
		}
		out.Reproducibility = buildReproJSON(b, standing)
		if b.Main != nil {
			out.MainBinaryPath, out.MainBinarySHA256 = b.Main.Filepath, hex.EncodeToString(b.Main.SHA256)
		}
		arts, next, err := h.artifactPage(c, b)
		if err != nil {
			return err
		}
		out.Artifacts, out.ArtifactsNext = make([]views.ArtifactJSON, 0, len(arts)), next
		for _, a := range arts {
			out.Artifacts = append(out.Artifacts, views.ArtifactJSON{Path: a.Filepath, SHA256: hex.EncodeToString(a.SHA256), Size: a.Size})
		}
		return c.JSON(out)
	}
	return h.renderBuildPage(c, b, res, info)
}
