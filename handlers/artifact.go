package handlers

import (
	"encoding/base64"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/db"
)

// Artifact is GET /job/:job/build/:build/f/*: one artifact, streamed from
// the content store, with a quoted base64 SHA-256 ETag (product.md §2.9).
func (h *Handler) Artifact(c *fiber.Ctx) error {
	uuid, err := uuidParam(c, "build")
	if err != nil {
		return err
	}
	p, err := pathParam(c, "*")
	if err != nil {
		return err
	}
	a, err := h.DB.ArtifactByPath(c.UserContext(), uuid, p)
	if err != nil {
		return lookupErr(err, "Artifact not found", fmt.Sprintf("load artifact %s of %s", p, uuid))
	}
	etag := base64.StdEncoding.EncodeToString(a.SHA256)
	c.Set(fiber.HeaderETag, `"`+etag+`"`)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	f, err := h.Store.OpenArtifact(a.SHA256)
	if err != nil {
		return fmt.Errorf("open artifact %s of %s: %w", p, uuid, err)
	}
	setDownloadHeaders(c, ContentType(a.Filepath), path.Base(a.Filepath))
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(a.Size, 10))
	if c.Method() == fiber.MethodHead {
		f.Close()
		return nil
	}
	// fasthttp closes the file after sending it.
	return c.SendStream(f, int(a.Size))
}

// etagMatches implements If-None-Match for one strong ETag: quoted or not,
// in a list, or "*".
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || t == etag || strings.Trim(t, `"`) == etag {
			return true
		}
	}
	return false
}

// ContentType picks an artifact's media type as reference §6.6 does.
func ContentType(filepath string) string {
	switch filepath {
	case db.BuildEnvironment, db.OpamSwitch, db.SystemPackages:
		return "text/plain; charset=utf-8"
	}
	ext := strings.ToLower(path.Ext(filepath))
	if ext == ".build-hashes" {
		return "text/plain; charset=utf-8"
	}
	if strings.HasPrefix(filepath, "bin/") {
		return "application/octet-stream"
	}
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	return "application/octet-stream"
}

// mimeTypes is a fixed table so that answers do not depend on the
// machine's /etc/mime.types.
var mimeTypes = map[string]string{
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown",
	".html":  "text/html; charset=utf-8",
	".htm":   "text/html; charset=utf-8",
	".xhtml": "application/xhtml+xml; charset=utf-8",
	".css":   "text/css",
	".js":    "application/javascript; charset=utf-8",
	".json":  "application/json",
	".xml":   "text/xml; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".pdf":   "application/pdf",
	".gz":    "application/gzip",
	".tgz":   "application/gzip",
	".tar":   "application/x-tar",
	".xz":    "application/x-xz",
	".bz2":   "application/x-bzip2",
	".zip":   "application/zip",
	".deb":   "application/vnd.debian.binary-package",
	".rpm":   "application/x-rpm",
	".iso":   "application/x-iso9660-image",
	".img":   "application/octet-stream",
	".asc":   "application/pgp-signature",
	".sig":   "application/pgp-signature",
	".sh":    "application/x-sh",
	".rss":   "application/rss+xml; charset=utf-8",
	".atom":  "application/atom+xml; charset=utf-8",
}
