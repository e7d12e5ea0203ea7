package handlers

import (
	"bufio"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/export"
)

// Tarball is GET /job/:job/build/:build/all.tar.gz: every artifact of the
// build in database order, as a gzipped tar streamed from the store
// (reference §6.6, product.md §2.7). All times are the build's finish, so
// the same build always gives the same bytes.
func (h *Handler) Tarball(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	arts, err := h.DB.Artifacts(c.UserContext(), b.ID)
	if err != nil {
		return fmt.Errorf("all.tar.gz of %s: %w", b.UUID, err)
	}
	// Check every file before the status is sent: a missing or truncated
	// artifact is a 500, not a broken archive. Files are opened one at a
	// time while writing, so a build with many artifacts needs one
	// descriptor.
	if err := export.CheckTarball(h.Store, arts); err != nil {
		return fmt.Errorf("all.tar.gz of %s: %w", b.UUID, err)
	}

	setDownloadHeaders(c, "application/tar+gzip", "")
	if c.Method() == fiber.MethodHead {
		return nil
	}
	finish := b.Finish().Truncate(time.Second) // Unix seconds, as the reference writes; tar would round
	uuid, log, st := b.UUID, h.Log, h.Store
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := export.WriteTarball(w, st, arts, finish); err != nil {
			// The status is sent: cutting the stream short is all that is
			// left, and gzip's checksum makes that detectable.
			if log != nil {
				log.Error("all.tar.gz: writing failed", "uuid", uuid, "err", err)
			}
			return
		}
		if err := w.Flush(); err != nil && log != nil {
			log.Warn("all.tar.gz: sending failed", "uuid", uuid, "err", err)
		}
	})
	return nil
}
