package views

import "github.com/gofiber/fiber/v2"

// PagePolicy is the Content-Security-Policy of every HTML page and fragment
// (issue #11): scripts, styles and connections (htmx, SSE) only from the
// site itself and no inline script or style, so that markup smuggled into a
// page through data cannot run; no framing (clickjacking on the admin
// forms); pictures may be data: URLs because Pico draws its icons so.
const PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

// FramedPagePolicy is PagePolicy for the one page the site frames itself:
// the "Visualization not found" note inside the build page's iframes.
const FramedPagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
	"frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"

// setPageSecurity sets the headers every HTML page carries. Render is the
// only writer of HTML pages, so this is the one place that sets them.
func setPageSecurity(c *fiber.Ctx, policy string) {
	c.Set(fiber.HeaderContentSecurityPolicy, policy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
}
