// Package views renders the HTML pages: templates embedded in the binary,
// parsed once at start into one set per page (layout + partials + page), and
// executed into a buffer so that a template error becomes a clean 500 instead
// of half a page. htmx requests get only the page's fragment.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/static"
)

//go:embed templates/*.html
var templateFS embed.FS

// baseFiles are parsed into every page's set; every other file is a page,
// named by its file name without ".html".
var baseFiles = []string{"templates/layout.html", "templates/partials.html"}

// Views holds the parsed templates. It is immutable after New and safe for
// concurrent use.
type Views struct {
	pages map[string]*template.Template
	// menu renders the header's "user_menu" alone (UserMenu); visitorMenu
	// is what it renders for a visitor.
	menu        *template.Template
	visitorMenu []byte
}

// New parses all templates. Static file URLs in the templates are resolved
// through assets.
func New(assets *static.Assets) (*Views, error) {
	base, err := template.New("").Funcs(funcMap(assets)).ParseFS(templateFS, baseFiles...)
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	v := &Views{pages: map[string]*template.Template{}, menu: base}
	for _, file := range files {
		if isBase(file) {
			continue
		}
		set, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		if set, err = set.ParseFS(templateFS, file); err != nil {
			return nil, fmt.Errorf("views: %w", err)
		}
		name := strings.TrimSuffix(path.Base(file), ".html")
		if set.Lookup("document") == nil && set.Lookup("content") == nil {
			return nil, fmt.Errorf("views: %s defines neither \"content\" nor \"document\"", file)
		}
		v.pages[name] = set
	}
	// After the clones: a template that has executed cannot be cloned.
	if v.visitorMenu, err = v.UserMenu(nil, ""); err != nil {
		return nil, err
	}
	return v, nil
}

// UserMenu renders the header's user part ("user_menu") for a signed-in
// user (nil: a visitor) with the session's CSRF token. The page cache keeps
// pages as a visitor sees them, and a signed-in user gets the cached page
// with this part swapped in (Personalize).
func (v *Views) UserMenu(user *UserMenu, csrf string) ([]byte, error) {
	var b bytes.Buffer
	if err := v.menu.ExecuteTemplate(&b, "user_menu", &Page{User: user, CSRF: csrf}); err != nil {
		return nil, fmt.Errorf("views: user menu: %w", err)
	}
	return b.Bytes(), nil
}

// Personalize returns a page rendered for a visitor as the signed-in user
// sees it: the header's visitor menu (its first occurrence, which the
// layout puts before any content) replaced with the user's. Pages without
// the header (fragments, JSON, feeds) are returned as they are.
func (v *Views) Personalize(page []byte, user *UserMenu, csrf string) ([]byte, error) {
	i := bytes.Index(page, v.visitorMenu)
	if i < 0 {
		return page, nil
	}
	menu, err := v.UserMenu(user, csrf)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(page)-len(v.visitorMenu)+len(menu))
	out = append(out, page[:i]...)
	out = append(out, menu...)
	return append(out, page[i+len(v.visitorMenu):]...), nil
}

func isBase(file string) bool {
	for _, b := range baseFiles {
		if b == file {
			return true
		}
	}
	return false
}

// Render answers with page: the whole document, or only its fragment
// (data.Fragment, default "content") when htmx asks for it. data should be a
// Page or *Page; any other value is used as the Body of an otherwise empty
// Page. On a template error nothing is written and the error is returned, so
// the application's error handler answers 500.
func (v *Views) Render(c *fiber.Ctx, status int, page string, data any) error {
	p := asPage(data)
	fillSession(c, p)
	set, err := v.lookup(page)
	if err != nil {
		return err
	}
	root := "layout"
	switch {
	case set.Lookup("document") != nil:
		root = "document" // a standalone page has no fragment to extract
	case IsFragmentRequest(c):
		root = p.Fragment
		if root == "" {
			root = "content"
		}
	}
	return v.execute(c, status, page, set, root, p)
}

// RenderFragment answers with one named template of page (e.g. the rows of a
// table for "load more"), whatever the request headers say.
func (v *Views) RenderFragment(c *fiber.Ctx, status int, page, fragment string, data any) error {
	set, err := v.lookup(page)
	if err != nil {
		return err
	}
	return v.execute(c, status, page, set, fragment, asPage(data))
}

// IsFragmentRequest reports whether htmx asked for a fragment. History
// restoration also carries HX-Request, but needs the whole page.
func IsFragmentRequest(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-History-Restore-Request") != "true"
}

func (v *Views) lookup(page string) (*template.Template, error) {
	set, ok := v.pages[page]
	if !ok {
		return nil, fmt.Errorf("views: no page %q", page)
	}
	return set, nil
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest output buffer kept for the next page. A
// front page of 2,000 entries (a million builds) is 2.5 MB: a new buffer
// for each cost more than writing the page, in the zeroing and page faults
// of fresh memory (issue 17). sync.Pool drops what stays unused for two
// garbage collections, so a rare big page does not stay in memory.
const maxPooledBuffer = 4 << 20

func (v *Views) execute(c *fiber.Ctx, status int, page string, set *template.Template, name string, p *Page) error {
	t := set.Lookup(name)
	if t == nil {
		return fmt.Errorf("views: page %q has no template %q", page, name)
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	buf.Grow(p.SizeHint)
	if err := t.Execute(buf, p); err != nil {
		if buf.Cap() <= maxPooledBuffer {
			buffers.Put(buf)
		}
		return fmt.Errorf("views: rendering %s/%s: %w", page, name, err)
	}
	// Full pages and fragments share URLs, so caches must key on the headers
	// that choose between them; the header shows who is logged in.
	c.Vary("HX-Request", "HX-History-Restore-Request", "Cookie")
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	setPageSecurity(c, PagePolicy)
	c.Status(status)
	if buf.Cap() > maxPooledBuffer {
		// The odd huge page (a long console) is handed over rather than
		// copied, and not kept alive in the pool.
		c.Response().SetBodyRaw(buf.Bytes())
		return nil
	}
	c.Response().SetBody(buf.Bytes()) // copies: buf goes back to the pool
	buffers.Put(buf)
	return nil
}

// Keys of c.Locals under which the session middleware leaves the signed-in
// user (*UserMenu) and the session's CSRF token (string).
const (
	LocalUser = "views.user"
	LocalCSRF = "views.csrf"
)

// fillSession puts the signed-in user and CSRF token of the request into
// the page when the handler left them empty, so every page's header shows
// who is logged in without each handler passing it along.
func fillSession(c *fiber.Ctx, p *Page) {
	if p.User == nil {
		if u, ok := c.Locals(LocalUser).(*UserMenu); ok {
			p.User = u
		}
	}
	if p.CSRF == "" {
		if t, ok := c.Locals(LocalCSRF).(string); ok {
			p.CSRF = t
		}
	}
}

func asPage(data any) *Page {
	switch d := data.(type) {
	case *Page:
		if d != nil {
			return d
		}
		return &Page{}
	case Page:
		return &d
	}
	return &Page{Body: data}
}

// NotFound answers 404 with the "Page not found" page of reference §6.7, or
// the minimal "Visualization not found" page when the request comes from an
// iframe (Sec-Fetch-Dest: iframe) so a missing visualization looks tidy. base
// carries the common fields (User, CSRF); Title, Body and, if empty, Crumbs are
// set here.
func (v *Views) NotFound(c *fiber.Ctx, base Page) error {
	if c.Get("Sec-Fetch-Dest") == "iframe" {
		if err := v.Render(c, fiber.StatusNotFound, "viz_notfound", Page{Title: "Visualization not found"}); err != nil {
			return err
		}
		// The build page frames this note; no other page may be framed.
		setPageSecurity(c, FramedPagePolicy)
		return nil
	}
	base.Title = "Page not found"
	if len(base.Crumbs) == 0 {
		base.Crumbs = []Crumb{Home}
	}
	nf, _ := base.Body.(NotFound) // callers may pass suggestions
	nf.Target, nf.Referer = c.OriginalURL(), safeReferer(c.Get(fiber.HeaderReferer))
	base.Body = nf
	return v.Render(c, fiber.StatusNotFound, "notfound", base)
}

// safeReferer keeps a Referer only if it is an http(s) URL or a path, the
// only kinds worth a "Go back" link.
func safeReferer(r string) string {
	u, err := url.Parse(r)
	if r == "" || err != nil {
		return ""
	}
	if u.Scheme == "http" || u.Scheme == "https" || (u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/")) {
		return r
	}
	return ""
}

// RenderError answers status with the error page showing message, which must
// be safe for anyone to read. If even that page fails to render it falls back
// to plain text, so an error handler can always call it last.
func (v *Views) RenderError(c *fiber.Ctx, base Page, status int, message string) error {
	base.Title = http.StatusText(status)
	if base.Title == "" {
		base.Title = "Error"
	}
	if len(base.Crumbs) == 0 {
		base.Crumbs = []Crumb{Home}
	}
	base.Fragment = ""
	base.Body = Error{Status: status, Message: message}
	if err := v.Render(c, status, "error", base); err != nil {
		c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
		return c.Status(status).SendString(message)
	}
	return nil
}
