// Package markdown renders job READMEs to HTML the way the reference does
// (cmarkit in safe mode, reference §6.8): raw HTML is replaced by comments,
// headings get slug ids with an anchor and can be shifted down, GFM tables are
// wrapped in a scrollable region, and no dangerous URL is ever emitted.
package markdown

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// md is shared by every call: goldmark parsers and renderers keep no
// per-document state, everything per call travels in the parser.Context.
var md = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(
		parser.WithASTTransformers(
			util.Prioritized(headingTransformer{}, 100),
			util.Prioritized(tableLimiter{}, 100),
		),
	),
	// Our renderers take precedence (lower value = higher priority) over the
	// defaults for the node kinds they register; the default HTML renderer
	// stays in "safe" mode (no WithUnsafe) for everything else.
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(
		util.Prioritized(safeRenderer{}, 10),
		util.Prioritized(tableRenderer{}, 10),
	)),
)

// Render converts Markdown to HTML that is safe to embed in a page without
// further escaping (wrap the result in template.HTML). Headings are shifted down
// by headingOffset levels (the job page uses 2), never beyond h6.
func Render(src []byte, headingOffset int) (string, error) {
	pc := parser.NewContext()
	pc.Set(headingOffsetKey, headingOffset)
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/2)
	if err := md.Convert(src, &buf, parser.WithContext(pc)); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	return buf.String(), nil
}
