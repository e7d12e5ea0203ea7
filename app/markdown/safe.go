package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// safeRenderer replaces goldmark's renderers for every node kind that could
// carry markup or a URL from the document into the page.
type safeRenderer struct{}

func (safeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderImage)
}

// The comments are the reference's (cmarkit safe mode), byte for byte, so a
// README renders identically in both implementations.
const (
	rawHTMLOmitted   = "<!-- CommonMark raw HTML omitted -->"
	htmlBlockOmitted = "<!-- CommonMark HTML block omitted -->\n"
)

func renderHTMLBlock(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	// One comment per block: goldmark's own renderer writes a second one for
	// the closing line of blocks like <script>…</script>.
	if entering {
		_, _ = w.WriteString(htmlBlockOmitted)
	}
	return ast.WalkSkipChildren, nil
}

func renderRawHTML(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(rawHTMLOmitted)
	}
	return ast.WalkSkipChildren, nil
}
