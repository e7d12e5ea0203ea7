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

// ResultJSON is the "result" object product.md §3.3 adds to build JSON.
type ResultJSON struct {
	Kind string `json:"kind"`
	Code *int64 `json:"code,omitempty"`
	Msg  string `json:"msg,omitempty"`
}

func resultJSON(r builder.Result) ResultJSON {
	if r.Kind == builder.Msg {
		return ResultJSON{Kind: r.Kind.String(), Msg: r.Msg}
	}
	code := r.Code
	return ResultJSON{Kind: r.Kind.String(), Code: &code}
}

// BuildJSON is the build page's JSON (reference §6.5).
type BuildJSON struct {
	Job        string     `json:"job"`
	UUID       string     `json:"uuid"`
	Platform   string     `json:"platform"`
	StartTime  string     `json:"start_time"`
	FinishTime string     `json:"finish_time"`
	MainBinary bool       `json:"main_binary"`
	Result     ResultJSON `json:"result"`

	// New keys (the reference has none of them): the main binary's path and
	// hash, and the artifacts, as many per answer as the page shows;
	// ArtifactsNext continues the list (?artifacts_after=) when more follow.
	MainBinaryPath   string         `json:"main_binary_path,omitempty"`
	MainBinarySHA256 string         `json:"main_binary_sha256,omitempty"`
	Artifacts        []ArtifactJSON `json:"artifacts"`
	ArtifactsNext    string         `json:"artifacts_next,omitempty"`

	// The main binary's solo5 notes, each only when readable ([HEAD]).
	Solo5Manifest *solo5.Manifest `json:"solo5_manifest,omitempty"`
	Solo5ABI      *solo5.ABI      `json:"solo5_abi,omitempty"`
	// Reproducibility is absent for a failed build (issue 12).
	Reproducibility *BuildReproJSON `json:"reproducibility,omitempty"`
}

// ArtifactJSON is one file of a build; sha256 in hex.
type ArtifactJSON struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
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
	out := BuildJSON{
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
		out.Artifacts, out.ArtifactsNext = make([]ArtifactJSON, 0, len(arts)), next
		for _, a := range arts {
			out.Artifacts = append(out.Artifacts, ArtifactJSON{Path: a.Filepath, SHA256: hex.EncodeToString(a.SHA256), Size: a.Size})
		}
		return c.JSON(out)
	}
	return h.renderBuildPage(c, b, res, info)
}
