package views

// Page is the data every template receives, full page or fragment. Handlers
// fill the common fields and put what their page shows into Body, so a
// template reads {{.Title}} for the frame and {{.Body.Whatever}} for content.
type Page struct {
	// Title is the <title> text; "builder-web" when empty.
	Title string
	// Crumbs are the breadcrumbs under the header (reference §6.0), first
	// "Home". None: no breadcrumb bar.
	Crumbs []Crumb
	// User is the signed-in user for the header menu; nil shows "Log in".
	User *UserMenu
	// CSRF is the token that every state-changing form carries (as the field
	// named CSRFField), including the logout form in the header.
	CSRF string
	// Fragment names the template rendered instead of the whole page when
	// htmx asks (HX-Request without HX-History-Restore-Request). Empty means
	// "content", the page's main content.
	Fragment string
	// Body is the page-specific data.
	Body any
	// SizeHint, when set, is about how many bytes the page takes: the
	// output buffer starts that large instead of doubling its way up (a
	// 2.5 MB front page allocated 8 MB that way).
	SizeHint int
}

// Crumb is one breadcrumb: a link when URL is set, plain text otherwise.
type Crumb struct {
	Text string
	URL  string
}

// UserMenu is what the header shows of the signed-in user.
type UserMenu struct {
	Name  string
	Admin bool // shows the link to /admin/users
}

// CSRFField is the form field name the templates use for Page.CSRF.
const CSRFField = "csrf_token"

// Home is the first breadcrumb of every page.
var Home = Crumb{Text: "Home", URL: "/"}

// Result is a build result as the "result" partial shows it: a mark that
// differs in shape and colour (☑/☒) followed by the text, never colour alone.
type Result struct {
	OK   bool   // exited 0
	Text string // e.g. "exited 0", "signalled SIGKILL (-7)"
}

// NotFound is the Body of the "notfound" page (reference §6.7).
type NotFound struct {
	Target  string // requested path and query
	Referer string // Referer header, shown as a "Go back" link when set
	// Jobs are existing jobs named like the unknown one asked for.
	Jobs []Crumb
}

// Error is the Body of the "error" page. Message must be safe to show to
// anyone: never a wrapped internal error.
type Error struct {
	Status  int
	Message string
}
