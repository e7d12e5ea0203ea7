package markdown

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// tableRenderer writes GFM tables as cmarkit does: inside a
// <div role="region"> (so CSS can scroll wide tables), header and body rows
// directly in <table> without thead/tbody, alignment as a class, and no newline
// after the closing </div>.
type tableRenderer struct{}

func (tableRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTable, renderTable)
	reg.Register(east.KindTableHeader, renderTableRow)
	reg.Register(east.KindTableRow, renderTableRow)
	reg.Register(east.KindTableCell, renderTableCell)
}

func renderTable(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<div role=\"region\"><table>\n")
	} else {
		_, _ = w.WriteString("</table></div>")
	}
	return ast.WalkContinue, nil
}

func renderTableRow(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<tr>\n")
	} else {
		_, _ = w.WriteString("</tr>\n")
	}
	return ast.WalkContinue, nil
}

func renderTableCell(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*east.TableCell)
	tag := "td"
	if n.Parent() != nil && n.Parent().Kind() == east.KindTableHeader {
		tag = "th"
	}
	if !entering {
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<" + tag)
	switch cellAlignment(n) {
	case east.AlignLeft:
		_, _ = w.WriteString(` class="left"`)
	case east.AlignCenter:
		_, _ = w.WriteString(` class="center"`)
	case east.AlignRight:
		_, _ = w.WriteString(` class="right"`)
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

// cellAlignment is the cell's column alignment. goldmark leaves the cells it
// adds to pad a short row unaligned; cmarkit aligns them like their column.
func cellAlignment(n *east.TableCell) east.Alignment {
	if n.Alignment != east.AlignNone || n.Parent() == nil {
		return n.Alignment
	}
	var aligns []east.Alignment
	switch p := n.Parent().(type) {
	case *east.TableRow:
		aligns = p.Alignments
	case *east.TableHeader:
		aligns = p.Alignments
	}
	i := 0
	for c := n.PreviousSibling(); c != nil; c = c.PreviousSibling() {
		i++
	}
	if i < len(aligns) {
		return aligns[i]
	}
	return east.AlignNone
}

// maxPaddedCells bounds the work a table can cause: GFM pads every short row to
// the header's width, so a wide header over many one-cell rows multiplies
// into millions of cells from a few kilobytes of input.
const maxPaddedCells = 100_000

// tableLimiter drops the padding cells of tables that would exceed
// maxPaddedCells; such tables then render their rows as written.
type tableLimiter struct{}

func (tableLimiter) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Kind() != east.KindTable {
			return ast.WalkContinue, nil
		}
		cells := 0
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			cells += row.ChildCount()
		}
		if cells > maxPaddedCells {
			for row := n.FirstChild(); row != nil; row = row.NextSibling() {
				for c := row.LastChild(); c != nil && c.Lines().Len() == 0; c = row.LastChild() {
					row.RemoveChild(row, c) // goldmark's padding cells have no source line
				}
			}
		}
		return ast.WalkSkipChildren, nil
	})
}
