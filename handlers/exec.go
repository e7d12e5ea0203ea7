package handlers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/export"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/db"
)

// Exec is GET /job/:job/build/:build/exec: the build re-encoded as the
// record builder uploads (reference §6.6), so that
// `curl …/exec | curl --data-binary @- …/upload` copies a build. The job's
// current README goes first, as in the reference (reference §15.6: it may
// come from a later build). The record is streamed: artifacts can be large.
func (h *Handler) Exec(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tags, err := h.DB.JobTags(ctx, b.JobID)
	if err != nil {
		return fmt.Errorf("exec of %s: %w", b.UUID, err)
	}
	rec, err := export.Build(ctx, h.DB, h.Store, b.UUID)
	if errors.Is(err, export.ErrBuildNotFound) {
		return httperr.NotFound("Build not found") // removed meanwhile
	}
	if err != nil {
		return fmt.Errorf("exec of %s: %w", b.UUID, err)
	}
	if readme, ok := tags[db.TagReadme]; ok {
		rec.Files = append([]builder.FileSource{{
			Path: "README.md",
			Size: int64(len(readme)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(readme)), nil },
		}}, rec.Files...)
	}

	setDownloadHeaders(c, fiber.MIMEOctetStream, "")
	if c.Method() == fiber.MethodHead {
		return rec.Close()
	}
	uuid, log := b.UUID, h.Log
	// fasthttp runs the writer in any case, so it owns the open files.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer rec.Close()
		// The status is sent: a failure can only cut the record short,
		// which every decoder rejects.
		if err := rec.Encode(w); err != nil {
			if log != nil {
				log.Error("exec: writing the record failed", "uuid", uuid, "err", err)
			}
			return
		}
		if err := w.Flush(); err != nil && log != nil {
			log.Warn("exec: sending the record failed", "uuid", uuid, "err", err)
		}
	})
	return nil
}
