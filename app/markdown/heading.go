package markdown

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

var headingOffsetKey = parser.NewContextKey()

// headingTransformer shifts heading levels and assigns slug ids. It works on
// the AST rather than in the renderer because only the parser sees the
// per-call context (the offset), and because ids must be unique per document.
type headingTransformer struct{}

func (headingTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	offset, _ := pc.Get(headingOffsetKey).(int)
	source := reader.Source()
	seen := map[string]int{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		h.Level = min(max(h.Level+offset, 1), 6)
		id := slug(plainText(h, source))
		if id != "" {
			// GitHub-style de-duplication keeps every anchor reachable.
			if k := seen[id]; k > 0 {
				seen[id] = k + 1
				id += "-" + strconv.Itoa(k)
			} else {
				seen[id] = 1
			}
			h.SetAttributeString("id", []byte(id))
		}
		return ast.WalkSkipChildren, nil
	})
}

// plainText is the visible text of inline content: raw HTML contributes
// nothing, so "<script>Hello</script>" yields "Hello" (as cmarkit does).
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.RawHTML:
			case *ast.Text:
				b.Write(resolve(c.Segment.Value(source)))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(source))
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// resolve undoes backslash escapes and character references, as the
// reference computes ids from the decoded text.
func resolve(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// slug follows cmarkit's Inline.id: blanks collapse to one '-' between words,
// '-' and '_' stay, other punctuation and symbols are dropped, letters are
// lowercased. The result only holds letters, digits, marks, '-' and '_', so
// it is safe in an attribute and a URL fragment.
func slug(s string) string {
	var b strings.Builder
	blank := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n':
			blank = true
			continue
		case r == utf8.RuneError || r == 0:
			r = utf8.RuneError
		}
		if blank && b.Len() > 0 {
			b.WriteByte('-')
		}
		blank = false
		if r == '-' || r == '_' {
			b.WriteRune(r)
			continue
		}
		if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) ||
			unicode.IsSpace(r) || r == utf8.RuneError {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// renderHeading writes <hN id="x"><a class="anchor" aria-hidden="true"
// href="#x"></a>…</hN>, the reference's markup for linkable headings.
func renderHeading(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := strconv.Itoa(n.Level)
	if !entering {
		_, _ = w.WriteString("</h" + level + ">\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<h" + level)
	if v, ok := n.AttributeString("id"); ok {
		id := util.EscapeHTML(v.([]byte))
		_, _ = w.WriteString(` id="`)
		_, _ = w.Write(id)
		_, _ = w.WriteString(`"><a class="anchor" aria-hidden="true" tabindex="-1" href="#`)
		_, _ = w.Write(id)
		_, _ = w.WriteString(`"></a>`)
	} else {
		_ = w.WriteByte('>')
	}
	return ast.WalkContinue, nil
}
