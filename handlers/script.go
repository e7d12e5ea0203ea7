package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Script is GET /job/:job/build/:build/script: the build script as text
// with a hex SHA-256 ETag (reference §6.6).
func (h *Handler) Script(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	setDownloadHeaders(c, textPlain, "script.txt")
	return h.sendHashed(c, b.Script, textPlain)
}

// textPlain is the media type of the console and the script.
const textPlain = "text/plain; charset=utf-8"

// sendHashed streams a file of the data directory with the quoted
// lowercase hex SHA-256 of its content as ETag, answering 304 when
// If-None-Match has it. The file is read twice (hash, then send) rather
// than held in memory: consoles can be large.
func (h *Handler) sendHashed(c *fiber.Ctx, rel, contentType string) error {
	f, err := h.Store.Open(rel)
	if err != nil {
		return fmt.Errorf("open %s: %w", rel, err)
	}
	hash := sha256.New()
	size, err := io.Copy(hash, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("read %s: %w", rel, err)
	}
	etag := hex.EncodeToString(hash.Sum(nil))
	c.Set(fiber.HeaderETag, `"`+etag+`"`)
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		f.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(size, 10))
	if c.Method() == fiber.MethodHead {
		f.Close()
		return nil
	}
	// fasthttp closes the file after sending it.
	return c.SendStream(f, int(size))
}
