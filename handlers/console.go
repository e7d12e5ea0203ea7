package handlers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/views"
)

const (
	// consoleTail is how many lines the console view shows by default: the
	// end of the output is where a build failure shows.
	consoleTail = 200
	// consoleMaxLines and consoleMaxBytes bound "everything", so that a
	// runaway build's console can neither produce a page no browser can
	// open nor make the server hold it in memory; the plain text route
	// streams it all. The bytes bound the tail as well.
	consoleMaxLines = 50_000
	consoleMaxBytes = 1 << 20
	// consoleMaxLine bounds one line's length in the view.
	consoleMaxLine = 64 << 10
)

// Console is GET /job/:job/build/:build/console: console.txt as text with
// a hex SHA-256 ETag (reference §6.6).
func (h *Handler) Console(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	setDownloadHeaders(c, textPlain, "console.txt")
	return h.sendHashed(c, b.Console, textPlain)
}

// ConsoleView is GET /job/:job/build/:build/console/view?q=&lines=all: the
// console as HTML, filtered on the server. htmx gets the panel (form and
// lines) that the build page loads lazily, or only the lines when the
// filter form asks (HX-Target console-output); anyone else the whole page,
// so the filter also works without JavaScript.
func (h *Handler) ConsoleView(c *fiber.Ctx) error {
	b, err := h.loadBuild(c)
	if err != nil {
		return err
	}
	buildURL := views.BuildURL(b.JobName, b.UUID)
	page := views.ConsolePage{
		Job:        b.JobName,
		Start:      b.Start(),
		BuildURL:   buildURL,
		RawURL:     buildURL + "/console",
		ViewURL:    buildURL + "/console/view",
		Query:      copyString(c.Query("q")),
		All:        c.Query("lines") == "all",
		Tail:       consoleTail,
		Standalone: !views.IsFragmentRequest(c),
	}
	f, err := h.Store.Open(b.Console)
	if err != nil {
		return fmt.Errorf("open console of %s: %w", b.UUID, err)
	}
	defer f.Close()
	if err := readConsole(f, &page); err != nil {
		return fmt.Errorf("read console of %s: %w", b.UUID, err)
	}

	fragment := "console_panel"
	if c.Get("HX-Target") == "console-output" {
		fragment = "console_lines"
	}
	crumbs := append(buildCrumbs(b), views.Crumb{Text: "Console", URL: page.ViewURL})
	return h.Views.Render(c, fiber.StatusOK, "console", views.Page{
		Title:    "Console of job " + b.JobName + " " + views.FormatTime(page.Start),
		Crumbs:   crumbs,
		Fragment: fragment,
		Body:     page,
	})
}

// readConsole reads console.txt ("<seconds>s:<text>" lines, reference §3)
// into page: every line is counted, those containing page.Query (ignoring
// case) match, and the last Tail matches (or, with All, the first
// consoleMaxLines) are kept, as far as consoleMaxBytes of text allows.
func readConsole(r io.Reader, page *views.ConsolePage) error {
	query := strings.ToLower(page.Query)
	br := bufio.NewReaderSize(r, 64<<10)
	tail := lineRing{lines: make([]views.ConsoleLine, page.Tail)} // without All
	kept := 0                                                     // bytes of page.Lines, with All
	for {
		raw, err := readLine(br)
		if len(raw) > 0 || err == nil {
			page.Total++
			line := splitConsoleLine(page.Total, raw)
			if query == "" || strings.Contains(strings.ToLower(line.Text), query) {
				page.Matching++
				size := len(line.Time) + len(line.Text)
				switch {
				case !page.All:
					tail.push(line, size)
				case !page.Truncated && len(page.Lines) < consoleMaxLines && kept+size <= consoleMaxBytes:
					page.Lines = append(page.Lines, line)
					kept += size
				default:
					page.Truncated = true
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if !page.All {
		page.Lines = tail.slice()
	}
	return nil
}

// lineRing keeps the last lines pushed, as many as fit its length and
// consoleMaxBytes.
type lineRing struct {
	lines    []views.ConsoleLine
	sizes    []int // parallel to lines
	first, n int
	bytes    int
}

func (q *lineRing) push(l views.ConsoleLine, size int) {
	if len(q.lines) == 0 {
		return
	}
	if q.sizes == nil {
		q.sizes = make([]int, len(q.lines))
	}
	for q.n > 0 && (q.n == len(q.lines) || q.bytes+size > consoleMaxBytes) {
		q.bytes -= q.sizes[q.first]
		q.lines[q.first] = views.ConsoleLine{} // let its text go
		q.first = (q.first + 1) % len(q.lines)
		q.n--
	}
	i := (q.first + q.n) % len(q.lines)
	q.lines[i], q.sizes[i] = l, size
	q.bytes += size
	q.n++
}

// slice returns the kept lines, oldest first.
func (q *lineRing) slice() []views.ConsoleLine {
	out := make([]views.ConsoleLine, 0, q.n)
	for k := range q.n {
		out = append(out, q.lines[(q.first+k)%len(q.lines)])
	}
	return out
}

// readLine returns the next line without its newline, cut at
// consoleMaxLine bytes (the rest of an overlong line is skipped).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	full := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !full && len(line)+len(chunk) <= consoleMaxLine {
			line = append(line, chunk...)
		} else {
			full = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		return line, err
	}
}

// splitConsoleLine separates the time stamp from the text. Lines that do
// not look like "<seconds>s:" show whole.
func splitConsoleLine(n int, raw []byte) views.ConsoleLine {
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	if ts, text, ok := strings.Cut(s, ":"); ok && strings.HasSuffix(ts, "s") && isDecimal(ts[:len(ts)-1]) {
		return views.ConsoleLine{N: n, Time: ts, Text: text}
	}
	return views.ConsoleLine{N: n, Text: s}
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if (r < '0' || r > '9') && r != '.' && !(i == 0 && r == '-') {
			return false
		}
	}
	return true
}
