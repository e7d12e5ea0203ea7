package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/clientip"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/views"
)

// localSession is the c.Locals key of the request's *session.Session.
const localSession = "session"

// csrfHeader lets scripts send the CSRF token as a header instead of a form field.
const csrfHeader = "X-CSRF-Token"

// LoadSession finds the browser's session, if any, and leaves it in
// c.Locals for the handlers and the page header. Assets and uploads, which
// never depend on a login, skip the lookup.
func (h *Handler) LoadSession(c *fiber.Ctx) error {
	if h.Sessions == nil || strings.HasPrefix(c.Path(), "/static/") || isUpload(c) {
		return c.Next()
	}
	id := c.Cookies(session.CookieName)
	if id == "" {
		return c.Next()
	}
	s, err := h.Sessions.Lookup(c.UserContext(), id)
	if errors.Is(err, session.ErrNoSession) {
		h.clearCookie(c, session.CookieName, "/")
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Locals(localSession, s)
	c.Locals(views.LocalUser, &views.UserMenu{Name: s.User.Username, Admin: s.User.Admin})
	c.Locals(views.LocalCSRF, s.CSRF)
	// Every page of a session shows the user's name and CSRF token: no
	// shared cache may keep it. Set before and after the handler, which
	// may set its own caching headers.
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	err = c.Next()
	if strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMETextHTML) {
		c.Set(fiber.HeaderCacheControl, "private, no-store")
	}
	return err
}

// sessionOf returns the request's session, or nil for visitors.
func sessionOf(c *fiber.Ctx) *session.Session {
	s, _ := c.Locals(localSession).(*session.Session)
	return s
}

// csrfToken is the token the request carries, from the form or the header.
func csrfToken(c *fiber.Ctx) string {
	if t := c.FormValue(views.CSRFField); t != "" {
		return t
	}
	return c.Get(csrfHeader)
}

// RequireAdmin guards /admin: visitors are sent to the login page, users
// who are not admins get 403, and every POST must carry the session's CSRF
// token. Admin pages are never cached.
func (h *Handler) RequireAdmin(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	s := sessionOf(c)
	if s == nil {
		next := "/admin/users"
		if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
			next = c.OriginalURL()
		}
		return h.redirect(c, "/login?next="+queryEscape(next))
	}
	if !s.User.Admin {
		return h.errorPage(c, http.StatusForbidden, "Forbidden: this page is for administrators only.")
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead && !s.CheckCSRF(csrfToken(c)) {
		return h.csrfFailed(c)
	}
	return c.Next()
}

func (h *Handler) csrfFailed(c *fiber.Ctx) error {
	return h.errorPage(c, http.StatusForbidden,
		"Forbidden: the form's security token is missing or belongs to another session. Reload the page and try again.")
}

// redirect answers 303 See Other, or, to htmx, asks for a full page load
// (a followed redirect would be swapped into the target).
func (h *Handler) redirect(c *fiber.Ctx, to string) error {
	if views.IsFragmentRequest(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// errorPage answers status with the error page (JSON for API clients).
func (h *Handler) errorPage(c *fiber.Ctx, status int, msg string) error {
	if WantsJSON(c) {
		return c.Status(status).JSON(fiber.Map{"error": msg})
	}
	return h.Views.RenderError(c, views.Page{}, status, msg)
}

// peer is the address of the other end of the TCP connection.
func peer(c *fiber.Ctx) netip.Addr {
	a, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return a.Unmap()
}

func headerValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().Header.PeekAll(name) {
		out = append(out, string(v))
	}
	return out
}

// clientKey is the address a request's failed logins are counted under.
func (h *Handler) clientKey(c *fiber.Ctx) string {
	return clientip.Key(h.Clients.Client(peer(c), headerValues(c, fiber.HeaderXForwardedFor)))
}

// secure reports whether the browser reached us over TLS (directly or
// through a trusted proxy): only then do cookies get the Secure flag.
func (h *Handler) secure(c *fiber.Ctx) bool {
	return h.Clients.Secure(peer(c), c.Context().IsTLS(), headerValues(c, fiber.HeaderXForwardedProto))
}

// setCookie sets an HttpOnly, SameSite=Lax browser-session cookie.
func (h *Handler) setCookie(c *fiber.Ctx, name, value, path string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: path,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
}

func (h *Handler) clearCookie(c *fiber.Ctx, name, path string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: path, MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: h.secure(c),
	})
}

// throttled checks, before any password hashing, whether this user name
// failed too often from this client address, or the address did. It
// returns the address key to record a failure under, and a 429 error with
// Retry-After set when blocked. A name longer than any account's is a 400
// before it is hashed or counted.
func (h *Handler) throttled(c *fiber.Ctx, name string) (string, error) {
	if len(name) > accounts.MaxNameLen {
		return "", httperr.BadRequest(fmt.Sprintf("User name longer than %d bytes.", accounts.MaxNameLen), nil)
	}
	addr := h.clientKey(c)
	if h.Throttle == nil {
		return addr, nil
	}
	if blocked, wait := h.Throttle.Blocked(name, addr); blocked {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retrySeconds(wait)))
		return addr, httperr.New(http.StatusTooManyRequests, "Too many failed attempts; try again in "+waitText(wait)+".", nil)
	}
	return addr, nil
}

// recordFailure counts a failed password check; recordSuccess forgets the
// failures of the user name from that address.
func (h *Handler) recordFailure(name, addr string) {
	if h.Throttle != nil {
		h.Throttle.Fail(name, addr)
	}
}

func (h *Handler) recordSuccess(name, addr string) {
	if h.Throttle != nil {
		h.Throttle.Succeed(name, addr)
	}
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

func waitText(d time.Duration) string {
	if m := int(math.Ceil(d.Minutes())); m > 1 {
		return strconv.Itoa(m) + " minutes"
	}
	return "a minute"
}
