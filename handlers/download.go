package handlers

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// downloadPolicy is the Content-Security-Policy of everything served from a
// build (issue #11): the bytes come from an uploader, so a browser that
// renders them anyway must do so in a unique origin without scripts, where
// they can neither read the site nor use an admin's session.
const downloadPolicy = "sandbox"

// vizPolicy is downloadPolicy for the visualizations: they are scripts by
// nature (the build page frames them with sandbox="allow-scripts"), but even
// opened alone they run in a unique origin.
const vizPolicy = "sandbox allow-scripts"

// setDownloadHeaders is the one place that sets the headers of a download
// (artifacts, console, script, exec, all.tar.gz): its media type, the
// sandbox and nosniff, and for the types a browser would run as a document
// with scripts (HTML, XHTML, XML, SVG) Content-Disposition: attachment, so
// they are saved rather than shown. name is the file name offered for an
// attachment. Text and images stay viewable inline.
func setDownloadHeaders(c *fiber.Ctx, contentType, name string) {
	setSandbox(c, downloadPolicy)
	c.Set(fiber.HeaderContentType, contentType)
	if isActiveContent(contentType) {
		c.Set(fiber.HeaderContentDisposition, attachment(name))
	}
}

// setSandbox sets the sandbox policy and nosniff (without nosniff a browser
// may take a text/plain file for HTML). Redirects to a download (main-binary)
// carry them too.
func setSandbox(c *fiber.Ctx, policy string) {
	c.Set(fiber.HeaderContentSecurityPolicy, policy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
}

// isActiveContent reports whether a browser renders contentType as a
// document that can run scripts.
func isActiveContent(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true // unparsable: assume the worst
	}
	// Any XML may hold XHTML elements, scripts included: Atom, RSS and SVG
	// (the +xml types) as well.
	switch t {
	case "text/html", "text/xml", "application/xml":
		return true
	}
	return strings.HasSuffix(t, "+xml")
}

// attachment is a Content-Disposition that saves the file as name. Artifact
// names come from uploaders: mime.FormatMediaType quotes them, and writes
// anything outside printable ASCII (non-ASCII, control characters) as an
// RFC 2231 filename* parameter, so a name cannot break out of the header.
func attachment(name string) string {
	if name != "" {
		if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
			return v
		}
	}
	return "attachment"
}
