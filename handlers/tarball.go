package handlers

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Version is builder-web's version as tarballs name it. The lead may move
// it to a package of its own once the binaries print a version too.
const Version = "0.1.0"

// tarballComment is the pax global header comment of every all.tar.gz
// (reference §6.6).
const tarballComment = "Tar file produced by builder-web." + Version

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
	for _, a := range arts {
		fi, err := os.Stat(h.Store.ArtifactPath(a.SHA256))
		if err != nil {
			return fmt.Errorf("all.tar.gz of %s: %s: %w", b.UUID, a.Filepath, err)
		}
		if fi.Size() != a.Size {
			return fmt.Errorf("all.tar.gz of %s: %s has %d bytes, the database says %d", b.UUID, a.Filepath, fi.Size(), a.Size)
		}
	}

	setDownloadHeaders(c, "application/tar+gzip", "")
	if c.Method() == fiber.MethodHead {
		return nil
	}
	finish := b.Finish().Truncate(time.Second) // Unix seconds, as the reference writes; tar would round
	uuid, log, st := b.UUID, h.Log, h.Store
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := writeTarball(w, st, arts, finish); err != nil {
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

// writeTarball writes the archive of arts, read from st.
func writeTarball(w io.Writer, st *store.Store, arts []db.BuildArtifact, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	gz.ModTime = mtime
	tw := tar.NewWriter(gz)
	// Go's writer takes nothing but the records for a global header.
	err = tw.WriteHeader(&tar.Header{
		Typeflag:   tar.TypeXGlobalHeader,
		PAXRecords: map[string]string{"comment": tarballComment},
	})
	if err != nil {
		return fmt.Errorf("global header: %w", err)
	}
	for _, a := range arts {
		mode := int64(0o644)
		if strings.HasPrefix(a.Filepath, "bin/") {
			mode = 0o755
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     a.Filepath,
			Size:     a.Size,
			Mode:     mode,
			ModTime:  mtime,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", a.Filepath, err)
		}
		if err := copyArtifact(tw, st, a); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// copyArtifact writes exactly a.Size bytes of an artifact's content; a file
// that shrank since the check makes the tar writer fail on the next header
// rather than write a broken entry.
func copyArtifact(w io.Writer, st *store.Store, a db.BuildArtifact) error {
	f, err := st.OpenArtifact(a.SHA256)
	if err != nil {
		return fmt.Errorf("%s: %w", a.Filepath, err)
	}
	defer f.Close()
	if _, err := io.Copy(w, io.LimitReader(f, a.Size)); err != nil {
		return fmt.Errorf("%s: %w", a.Filepath, err)
	}
	return nil
}
