package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// jobSuggestions is how many job names the access form suggests at once.
const jobSuggestions = 20

// AdminAccessAdd is POST /admin/users/:name/access (job): the user may
// upload builds of that existing job.
func (h *Handler) AdminAccessAdd(c *fiber.Ctx) error {
	return h.changeAccess(c, true)
}

// AdminAccessRemove is POST /admin/users/:name/access/remove (job).
func (h *Handler) AdminAccessRemove(c *fiber.Ctx) error {
	return h.changeAccess(c, false)
}

func (h *Handler) changeAccess(c *fiber.Ctx, grant bool) error {
	name, err := pathParam(c, "name")
	if err != nil {
		return err
	}
	job := strings.TrimSpace(c.FormValue("job"))
	if job == "" {
		return h.accessError(c, name, job, "Enter the name of a job.")
	}
	var notice, action string
	if grant {
		err = h.DB.AccessAdd(c.UserContext(), name, job)
		notice, action = name+" may now upload builds of "+job+".", "grant access to "+job
	} else {
		err = h.DB.AccessRemove(c.UserContext(), name, job)
		notice, action = name+" may no longer upload builds of "+job+".", "revoke access to "+job
	}
	switch {
	case errors.Is(err, db.ErrJobNotFound):
		return h.accessError(c, name, job, "There is no job named “"+job+"”. A job exists once one of its builds was uploaded.")
	case errors.Is(err, db.ErrUnknownUser):
		_, err = h.userByName(c, name) // the 404
		return err
	case err != nil:
		return err
	}
	h.audit(c, action, name)
	return h.adminDone(c, name, notice)
}

func (h *Handler) accessError(c *fiber.Ctx, name, job, msg string) error {
	return h.renderAdminUser(c, fiber.StatusUnprocessableEntity, name,
		views.AdminUserPage{Job: job, Errors: map[string]string{"job": msg}})
}

// AdminJobNames is GET /admin/job-names?job=prefix: <option>s of the job
// names that start with what was typed, for the access form's datalist.
func (h *Handler) AdminJobNames(c *fiber.Ctx) error {
	names, err := h.DB.JobNamesWithPrefix(c.UserContext(), strings.TrimSpace(c.Query("job")), jobSuggestions)
	if err != nil {
		return err
	}
	return h.Views.RenderFragment(c, fiber.StatusOK, "admin_user", "job_options", views.Page{Body: names})
}
