package handlers

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/auth"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/session"
	"github.com/builder-web/builder-web/views"
)

// LoginPage is GET /login.
func (h *Handler) LoginPage(c *fiber.Ctx) error {
	return h.renderLogin(c, fiber.StatusOK, views.LoginPage{Next: localPath(c.Query("next"))})
}

// Login is POST /login (fields username, password, next): on success a new
// session and 303 to next; otherwise the form again with the reason.
func (h *Handler) Login(c *fiber.Ctx) error {
	form := views.LoginPage{
		Username: copyString(c.FormValue("username")),
		Next:     localPath(c.FormValue("next")),
	}
	pw := c.FormValue("password")
	if !h.Sessions.CheckFormToken(c.Cookies(session.FormCookieName), c.FormValue(views.CSRFField)) {
		form.Error = "This form has expired. Please log in again."
		return h.renderLogin(c, fiber.StatusForbidden, form)
	}
	if form.Username == "" || pw == "" {
		form.Error = "Enter your user name and password."
		return h.renderLogin(c, fiber.StatusUnauthorized, form)
	}
	addr, err := h.throttled(c, form.Username)
	if err != nil {
		status, msg := httperr.Status(err)
		form.Error = msg
		return h.renderLogin(c, status, form)
	}
	u, err := h.Auth.Basic(c.UserContext(), form.Username, pw)
	if errors.Is(err, auth.ErrBadCredentials) {
		h.recordFailure(form.Username, addr)
		form.Error = "Wrong user name or password."
		return h.renderLogin(c, fiber.StatusUnauthorized, form)
	}
	if err != nil {
		return err
	}
	h.recordSuccess(form.Username, addr)
	id, _, err := h.Sessions.Create(c.UserContext(), u, c.Cookies(session.CookieName))
	if err != nil {
		return err
	}
	h.setCookie(c, session.CookieName, id, "/")
	h.clearCookie(c, session.FormCookieName, "/login")
	if h.Log != nil {
		h.Log.Info("login", "user", u.Username, "client", addr)
	}
	next := form.Next
	if next == "" {
		next = "/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// renderLogin shows the login form with a token tied to the visitor's form
// cookie (set here when missing or invalid).
func (h *Handler) renderLogin(c *fiber.Ctx, status int, form views.LoginPage) error {
	seed := c.Cookies(session.FormCookieName)
	if form.Token = h.Sessions.FormToken(seed); !h.Sessions.CheckFormToken(seed, form.Token) {
		var err error
		if seed, err = h.Sessions.NewFormSeed(); err != nil {
			return err
		}
		h.setCookie(c, session.FormCookieName, seed, "/login")
		form.Token = h.Sessions.FormToken(seed)
	}
	if s := sessionOf(c); s != nil {
		form.SignedInAs = s.User.Username
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.Views.Render(c, status, "login", views.Page{
		Title:  "Log in",
		Crumbs: []views.Crumb{views.Home, {Text: "Log in", URL: "/login"}},
		Body:   form,
	})
}

// localPath returns p if it is a path on this site ("/job/x?y"), else "".
// "//host" and "/\host" are refused: browsers read both as another host.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) {
		return ""
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return strings.Clone(p)
}
