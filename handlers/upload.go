package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/auth"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/ingest"
)

// Upload is POST /upload: one builder "full" record as the raw body.
func (h *Handler) Upload(c *fiber.Ctx) error {
	u, err := h.uploader(c)
	if err != nil {
		return err
	}
	body, err := h.uploadBody(c)
	if err != nil {
		return err
	}
	if _, err := h.Ingest.Ingest(c.UserContext(), body, u); err != nil {
		return drained(body, err)
	}
	return c.SendStatus(fiber.StatusCreated)
}

// UploadBinary is POST /job/:job/platform/:platform/upload?binary_name=:
// a bare binary as the raw body (reference §4.2).
func (h *Handler) UploadBinary(c *fiber.Ctx) error {
	u, err := h.uploader(c)
	if err != nil {
		return err
	}
	job, err := pathParam(c, "job")
	if err != nil {
		return err
	}
	platform, err := pathParam(c, "platform")
	if err != nil {
		return err
	}
	body, err := h.uploadBody(c)
	if err != nil {
		return err
	}
	name := copyString(c.Query("binary_name"))
	if _, err := h.Ingest.IngestBinary(c.UserContext(), job, platform, name, body, u); err != nil {
		return drained(body, err)
	}
	return c.SendStatus(fiber.StatusCreated)
}

// uploader checks the basic-auth credentials before any of the body is
// read (product.md §6.2.1).
func (h *Handler) uploader(c *fiber.Ctx) (ingest.Uploader, error) {
	name, pw, ok := basicAuth(c.Get(fiber.HeaderAuthorization))
	if !ok {
		return ingest.Uploader{}, unauthorized(nil)
	}
	addr, err := h.throttled(c, name)
	if err != nil {
		return ingest.Uploader{}, err
	}
	u, err := h.Auth.Basic(c.UserContext(), name, pw)
	if err != nil {
		if errors.Is(err, auth.ErrBadCredentials) {
			h.recordFailure(name, addr)
			return ingest.Uploader{}, unauthorized(err)
		}
		return ingest.Uploader{}, err
	}
	h.recordSuccess(name, addr)
	return ingest.Uploader{ID: u.ID, Name: u.Username, Restricted: u.Restricted}, nil
}

func unauthorized(err error) error {
	return httperr.New(http.StatusUnauthorized, "Unauthorized!", err)
}

// uploadBody returns the request body as a stream bounded by the maximum
// upload size (a declared length over it was refused by BoundBody) and by
// the idle time between reads.
func (h *Handler) uploadBody(c *fiber.Ctx) (io.Reader, error) {
	limit := h.MaxUploadSize
	var r io.Reader
	if s := c.Context().RequestBodyStream(); s != nil {
		r = s
		if h.BodyIdle > 0 {
			r = &idleReader{r: s, conn: c.Context().Conn(), idle: h.BodyIdle}
		}
	} else {
		r = bytes.NewReader(c.Body())
	}
	return &limitReader{r: r, left: limit, limit: limit}, nil
}

// drained reads and discards the rest of a refused upload's body before
// the error is answered: closing the connection while the client still
// sends makes the kernel answer with a reset, and the client never sees
// the 409 or 400 (#11 item 7). The body is bounded by the upload limit;
// one over it is answered 413 without reading on. The client is
// authenticated here, and a refused body costs no more than a stored one.
func drained(body io.Reader, err error) error {
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) {
		_, _ = io.Copy(io.Discard, body)
	}
	return err
}

// limitReader fails with *http.MaxBytesError once more than limit bytes
// were read, so that the ingest path answers 413.
type limitReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &http.MaxBytesError{Limit: l.limit}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), &http.MaxBytesError{Limit: l.limit}
	}
	return n, err
}
