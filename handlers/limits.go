package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/builder-web/builder-web/app/httperr"
)

// maxFormBody bounds the bodies of all routes but the uploads (forms).
const maxFormBody = 1 << 20

// bodyLimit is the largest body the route of method and path accepts.
func (h *Handler) bodyLimit(method, path string) int64 {
	if uploadRoute(method, path) {
		return h.MaxUploadSize
	}
	return maxFormBody
}

// refuseEarly returns the refusal a request earns from its header alone, or
// nil: two Content-Length headers (a request smuggling trick: a proxy in
// front may believe the other one), a body declared larger than its route
// accepts, or a chunked body where only uploads may stream. It reads the
// raw header as the client sent it, since HeaderReceived rewrites the
// parsed length of a refused request.
func (h *Handler) refuseEarly(hdr *fasthttp.RequestHeader) error {
	n, lengths, chunked := declaredBody(hdr.RawHeaders())
	if lengths > 1 {
		return httperr.BadRequest("Bad request: more than one Content-Length header", nil)
	}
	method, path := string(hdr.Method()), requestPath(hdr.RequestURI())
	limit := h.bodyLimit(method, path)
	switch {
	case chunked && !uploadRoute(method, path):
		return httperr.New(http.StatusRequestEntityTooLarge, "Request body too large", nil)
	case n > limit:
		err := &http.MaxBytesError{Limit: limit}
		return httperr.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body larger than %d bytes", limit), err)
	}
	return nil
}

// BoundBody answers the requests that refuseEarly refuses: with streamed
// request bodies fiber's BodyLimit does not bound them. The connection is
// closed, since the unread body would be taken for the next request.
func (h *Handler) BoundBody(c *fiber.Ctx) error {
	if err := h.refuseEarly(&c.Request().Header); err != nil {
		c.Context().SetConnectionClose()
		return err
	}
	return c.Next()
}

// HeaderReceived is fasthttp's hook between a request's header and its
// body. The server's ReadTimeout bounds the header; from here on the
// connection's read deadline is the idle time of the body (the upload
// reader moves it on with every read, so a long upload is not cut, only a
// stalled one). A request refused from its header gets none of its body
// read: its parsed length becomes 0, so that fasthttp's prefetch of the
// body does not wait for bytes a lying client never sends, and BoundBody
// answers it at once.
func (h *Handler) HeaderReceived(hdr *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if h.refuseEarly(hdr) != nil {
		hdr.SetContentLength(0)
	}
	return fasthttp.RequestConfig{ReadTimeout: h.BodyIdle}
}

// requestPath is the path of a request target, without its query.
func requestPath(uri []byte) string {
	p, _, _ := bytes.Cut(uri, []byte("?"))
	return string(p)
}

// declaredBody reads the body a raw header declares: the last
// Content-Length (-1 without one), how many Content-Length fields there
// are (fasthttp keeps only the last), and whether it is chunked.
func declaredBody(raw []byte) (length int64, lengths int, chunked bool) {
	length = -1
	for len(raw) > 0 {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte("\n"))
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(key) == 0 || key[0] == ' ' || key[0] == '\t' {
			continue // not a field of its own (a folded line goes with the one before)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(key, []byte(fiber.HeaderContentLength)):
			lengths++
			// fasthttp refused the request already if this is no number.
			length, _ = strconv.ParseInt(string(value), 10, 64)
		case bytes.EqualFold(key, []byte(fiber.HeaderTransferEncoding)):
			chunked = chunked || !bytes.EqualFold(value, []byte("identity"))
		}
	}
	return length, lengths, chunked
}

// idleReader drops an upload that sends nothing for idle: each read moves
// the connection's read deadline on, so only a stall ends it, never the
// total time.
type idleReader struct {
	r    io.Reader
	conn net.Conn
	idle time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	if err := i.conn.SetReadDeadline(time.Now().Add(i.idle)); err != nil {
		return 0, fmt.Errorf("set read deadline: %w", err)
	}
	n, err := i.r.Read(p)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		err = fmt.Errorf("upload stalled: nothing received for %s: %w", i.idle, err)
	}
	return n, err
}
