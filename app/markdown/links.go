package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// safeSchemes are the URL schemes a README may link to. An allow-list, not a
// deny-list: browsers accept more spellings of javascript: than one can list.
var safeSchemes = map[string]bool{
	"http": true, "https": true, "mailto": true, "ftp": true, "ftps": true,
	"irc": true, "ircs": true, "xmpp": true, "tel": true, "news": true,
	"nntp": true, "git": true, "ssh": true, "sftp": true, "gopher": true,
}

// safeURL reports whether dest (already unescaped) may appear in href/src:
// relative references and allow-listed schemes only.
func safeURL(dest []byte) bool {
	// Browsers drop tabs and newlines anywhere in a URL and C0 controls and
	// spaces at its ends before they look at the scheme; do the same.
	s := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, string(dest))
	s = strings.TrimLeft(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"+
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return true
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 && i < colon {
		return true // the colon is in the path, query or fragment
	}
	return safeSchemes[strings.ToLower(s[:colon])]
}

// destination returns the escaped URL to write, or false when it is unsafe.
func destination(raw []byte) ([]byte, bool) {
	if !safeURL(resolve(raw)) {
		return nil, false
	}
	out := util.URLEscape(raw, true)
	// Re-check what is actually written: escaping must not produce a scheme.
	return out, safeURL(out)
}

// renderLink writes <a href> for safe destinations; an unsafe link is
// rendered as its text alone, so the reader still sees what was written.
func renderLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	dest, ok := destination(n.Destination)
	if !ok {
		return ast.WalkContinue, nil
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		_, _ = w.Write(util.EscapeHTML(resolve(n.Title)))
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := util.EscapeHTML(n.Label(source))
	url := n.URL(source)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(url), []byte("mailto:")) {
		url = append([]byte("mailto:"), url...)
	}
	dest, ok := destination(url)
	if !ok {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(label)
	_, _ = w.WriteString(`</a>`)
	return ast.WalkContinue, nil
}

// renderImage writes the reference's `<img src="…" alt="…" >`. The alt text is
// the image description without raw HTML; an image with an unsafe source is
// replaced by that text.
func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := util.EscapeHTML([]byte(plainText(n, source)))
	dest, ok := destination(n.Destination)
	if !ok {
		_, _ = w.Write(alt)
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<img src="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_, _ = w.WriteString(`" alt="`)
	_, _ = w.Write(alt)
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		_, _ = w.Write(util.EscapeHTML(resolve(n.Title)))
		_ = w.WriteByte('"')
	}
	_, _ = w.WriteString(" >")
	return ast.WalkSkipChildren, nil
}
