package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

var adminCrumbs = []views.Crumb{views.Home, {Text: "Users", URL: "/admin/users"}}

// AdminUsers is GET /admin/users: every account and the "create" form.
func (h *Handler) AdminUsers(c *fiber.Ctx) error {
	return h.renderAdminUsers(c, fiber.StatusOK, views.UserForm{Restricted: true}, "")
}

func (h *Handler) renderAdminUsers(c *fiber.Ctx, status int, form views.UserForm, fragment string) error {
	list, err := h.DB.UserSummaries(c.UserContext())
	if err != nil {
		return err
	}
	body := views.AdminUsersPage{Form: form}
	for i := range list {
		body.Users = append(body.Users, h.adminUserView(c, &list[i]))
	}
	return h.Views.Render(c, status, "admin_users", views.Page{
		Title: "Users", Crumbs: adminCrumbs, Fragment: fragment, Body: body,
	})
}

// AdminCreateUser is POST /admin/users (username, password, restricted,
// admin). Invalid input answers 422 with the form and its messages.
func (h *Handler) AdminCreateUser(c *fiber.Ctx) error {
	form := views.UserForm{
		Username:   copyString(c.FormValue("username")),
		Restricted: checkbox(c.FormValue("restricted")),
		Admin:      checkbox(c.FormValue("admin")),
		Errors:     map[string]string{},
	}
	pw := c.FormValue("password")
	form.Errors = accounts.Check(form.Username, pw)
	if len(form.Errors) == 0 {
		_, err := accounts.Create(c.UserContext(), h.DB, form.Username, pw, form.Restricted, form.Admin)
		switch {
		case errors.Is(err, accounts.ErrDuplicate):
			form.Errors["username"] = "A user with this name exists already."
		case err != nil:
			return err
		default:
			h.audit(c, "create user", form.Username)
			return h.redirect(c, views.UserURL(form.Username))
		}
	}
	return h.renderAdminUsers(c, fiber.StatusUnprocessableEntity, form, "create_user")
}

// AdminUser is GET /admin/users/:name: one account's flags, password and
// job access list.
func (h *Handler) AdminUser(c *fiber.Ctx) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	return h.renderAdminUser(c, fiber.StatusOK, name, views.AdminUserPage{})
}

func (h *Handler) renderAdminUser(c *fiber.Ctx, status int, name string, body views.AdminUserPage) error {
	s, err := h.userSummary(c, name)
	if err != nil {
		return err
	}
	jobs, err := h.DB.UserJobs(c.UserContext(), s.ID)
	if err != nil {
		return err
	}
	body.User, body.Jobs = h.adminUserView(c, s), jobs
	return h.Views.Render(c, status, "admin_user", views.Page{
		Title:    "User " + name,
		Crumbs:   append(adminCrumbs[:len(adminCrumbs):len(adminCrumbs)], views.Crumb{Text: name, URL: views.UserURL(name)}),
		Fragment: "user_page",
		Body:     body,
	})
}

// AdminSetPassword is POST /admin/users/:name/password: a new argon2id
// password, which also enables a disabled user. The user's other sessions
// end.
func (h *Handler) AdminSetPassword(c *fiber.Ctx) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if err := accounts.CheckPassword(pw); err != nil {
		return h.renderAdminUser(c, fiber.StatusUnprocessableEntity, name, views.AdminUserPage{Errors: map[string]string{"password": err.Error()}})
	}
	u, err := h.userByName(c, name)
	if err != nil {
		return err
	}
	wasDisabled := u.Disabled() || u.DisabledAt != nil
	if _, err := accounts.Update(c.UserContext(), h.DB, name, accounts.Change{Password: &pw}); err != nil {
		return err
	}
	if err := h.Sessions.EndOthers(c.UserContext(), u.ID, sessionOf(c)); err != nil {
		return err
	}
	notice := "New password set for " + name + "."
	if wasDisabled {
		notice = name + " is enabled again with the new password."
	}
	h.audit(c, "set password", name)
	return h.adminDone(c, name, notice)
}

// AdminDisableUser is POST /admin/users/:name/disable: the reference's
// disable (no password matches, restricted, access list cleared) and all
// the user's sessions end.
func (h *Handler) AdminDisableUser(c *fiber.Ctx) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	u, err := h.userByName(c, name)
	if err != nil {
		return err
	}
	if h.isSelf(c, u.ID) {
		return h.refuse(c, name, "You cannot disable yourself.")
	}
	if err := h.DB.DisableUser(c.UserContext(), name); err != nil {
		return err
	}
	if err := h.Sessions.EndOthers(c.UserContext(), u.ID, nil); err != nil {
		return err
	}
	h.audit(c, "disable user", name)
	return h.adminDone(c, name, name+" is disabled.")
}

// AdminSetRestricted is POST /admin/users/:name/restricted (restricted=true|false).
func (h *Handler) AdminSetRestricted(c *fiber.Ctx) error {
	return h.setFlag(c, "restricted", h.DB.SetRestricted)
}

// AdminSetAdmin is POST /admin/users/:name/admin (admin=true|false). Nobody
// removes their own admin flag, so there is always an admin left.
func (h *Handler) AdminSetAdmin(c *fiber.Ctx) error {
	return h.setFlag(c, "admin", h.DB.SetAdmin)
}

func (h *Handler) setFlag(c *fiber.Ctx, flag string, set func(ctx context.Context, name string, v bool) error) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	v, err := strconv.ParseBool(c.FormValue(flag))
	if err != nil {
		return httperr.BadRequest("Bad request: "+flag+" must be true or false", err)
	}
	u, err := h.userByName(c, name)
	if err != nil {
		return err
	}
	if flag == "admin" && !v && h.isSelf(c, u.ID) {
		return h.refuse(c, name, "You cannot remove your own admin flag.")
	}
	if err := set(c.UserContext(), name, v); err != nil {
		return err
	}
	h.audit(c, fmt.Sprintf("set %s=%v", flag, v), name)
	return h.adminDone(c, name, "")
}

// AdminRemoveUserPage is GET /admin/users/:name/remove: the confirmation
// step, or the explanation why the user can only be disabled.
func (h *Handler) AdminRemoveUserPage(c *fiber.Ctx) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	s, err := h.userSummary(c, name)
	if err != nil {
		return err
	}
	msg := ""
	if h.isSelf(c, s.ID) {
		msg = "You cannot remove yourself."
	}
	return h.renderRemoveUser(c, fiber.StatusOK, s, msg)
}

// AdminRemoveUser is POST /admin/users/:name/remove. A user who uploaded
// builds is refused (409): the builds name them; disable them instead.
func (h *Handler) AdminRemoveUser(c *fiber.Ctx) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	s, err := h.userSummary(c, name)
	if err != nil {
		return err
	}
	switch {
	case h.isSelf(c, s.ID):
		return h.renderRemoveUser(c, fiber.StatusConflict, s, "You cannot remove yourself.")
	case s.Builds > 0:
		return h.renderRemoveUser(c, fiber.StatusConflict, s, fmt.Sprintf(
			"%s uploaded %s, which name them as their uploader, so they cannot be removed. Disable them instead.", name, views.FormatCount(s.Builds, "build", "builds")))
	}
	if err := h.DB.RemoveUser(c.UserContext(), name); err != nil {
		return err
	}
	h.audit(c, "remove user", name)
	return h.redirect(c, "/admin/users")
}

func (h *Handler) renderRemoveUser(c *fiber.Ctx, status int, s *db.UserSummary, msg string) error {
	return h.Views.Render(c, status, "admin_user_remove", views.Page{
		Title: "Remove user " + s.Username,
		Crumbs: append(adminCrumbs[:len(adminCrumbs):len(adminCrumbs)],
			views.Crumb{Text: s.Username, URL: views.UserURL(s.Username)},
			views.Crumb{Text: "Remove", URL: views.UserURL(s.Username) + "/remove"}),
		Body: views.RemoveUserPage{User: h.adminUserView(c, s), Error: msg},
	})
}

// adminDone answers a successful change: without JavaScript a 303 back to
// the page the form was on; to htmx that page's changed part (the table
// row of the list, or the user page).
func (h *Handler) adminDone(c *fiber.Ctx, name, notice string) error {
	fromList := c.FormValue("from") == "list"
	if !views.IsFragmentRequest(c) {
		if fromList {
			return c.Redirect("/admin/users", fiber.StatusSeeOther)
		}
		return c.Redirect(views.UserURL(name), fiber.StatusSeeOther)
	}
	if fromList {
		s, err := h.userSummary(c, name)
		if err != nil {
			return err
		}
		return h.Views.RenderFragment(c, fiber.StatusOK, "admin_users", "user_row_fragment", views.Page{Body: h.adminUserView(c, s)})
	}
	return h.renderAdminUser(c, fiber.StatusOK, name, views.AdminUserPage{Notice: notice})
}

// refuse answers a change the admin may not make (to themselves) with the
// user page and the reason.
func (h *Handler) refuse(c *fiber.Ctx, name, msg string) error {
	if views.IsFragmentRequest(c) && c.FormValue("from") == "list" {
		return h.errorPage(c, http.StatusConflict, msg)
	}
	return h.renderAdminUser(c, fiber.StatusUnprocessableEntity, name, views.AdminUserPage{Errors: map[string]string{"flags": msg}})
}

func (h *Handler) userSummary(c *fiber.Ctx, name string) (*db.UserSummary, error) {
	s, err := h.DB.UserSummary(c.UserContext(), name)
	if errors.Is(err, db.ErrUnknownUser) {
		return nil, httperr.NotFound("User not found")
	}
	return s, err
}

func (h *Handler) userByName(c *fiber.Ctx, name string) (*db.User, error) {
	u, err := h.DB.UserByName(c.UserContext(), name)
	if errors.Is(err, db.ErrUnknownUser) {
		return nil, httperr.NotFound("User not found")
	}
	return u, err
}

func (h *Handler) adminUserView(c *fiber.Ctx, s *db.UserSummary) views.AdminUser {
	last, _ := s.LastUpload()
	v := views.AdminUser{
		Name:       s.Username,
		URL:        views.UserURL(s.Username),
		Restricted: s.Restricted,
		Admin:      s.Admin,
		Disabled:   s.Disabled() || s.DisabledAt != nil,
		Builds:     s.Builds,
		LastUpload: last,
	}
	if me := sessionOf(c); me != nil {
		v.Self, v.CSRF = me.User.ID == s.ID, me.CSRF
	}
	return v
}

func (h *Handler) isSelf(c *fiber.Ctx, userID int64) bool {
	me := sessionOf(c)
	return me != nil && me.User.ID == userID
}

// audit logs who changed which account.
func (h *Handler) audit(c *fiber.Ctx, action, user string) {
	if h.Log == nil {
		return
	}
	by := ""
	if me := sessionOf(c); me != nil {
		by = me.User.Username
	}
	h.Log.Info("account change", "action", action, "user", user, "by", by)
}

// checkbox reads an HTML checkbox (absent is false) or a scripted boolean.
func checkbox(v string) bool {
	switch v {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}
