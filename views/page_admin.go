package views

import "time"

// LoginPage is the Body of the "login" page.
type LoginPage struct {
	Username string // kept after a failed attempt
	Next     string // local path to go to after login
	// Token is the visitor's form token (not Page.CSRF: there is no
	// session yet).
	Token string
	Error string
	// SignedInAs is set when the browser already has a session.
	SignedInAs string
}

// AdminUser is one account as the administration pages show it. It carries
// the CSRF token because its row is also rendered alone for htmx.
type AdminUser struct {
	Name       string
	URL        string // /admin/users/<name>, escaped
	Restricted bool
	Admin      bool
	Disabled   bool
	Builds     int64
	LastUpload time.Time // zero without builds
	Self       bool      // the signed-in admin: no self-demotion controls
	CSRF       string
}

// UserForm is the "create user" form with what was typed and what was wrong.
type UserForm struct {
	Username   string
	Restricted bool
	Admin      bool
	// Errors by field name ("username", "password"); "" for the form.
	Errors map[string]string
}

// AdminUsersPage is the Body of the "admin_users" page.
type AdminUsersPage struct {
	Users []AdminUser
	Form  UserForm
}

// AdminUserPage is the Body of the "admin_user" page: one account, its
// controls and its job access list.
type AdminUserPage struct {
	User   AdminUser
	Jobs   []string
	Notice string
	// Errors of the forms on the page, by form: "password", "job", "flags".
	Errors map[string]string
	Job    string // the job name typed into the access form
}

// RemoveUserPage is the Body of the "admin_user_remove" confirmation page.
type RemoveUserPage struct {
	User  AdminUser
	Error string
}
