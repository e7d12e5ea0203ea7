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
	// consoleMaxLines bounds "everything", so that a runaway build's
	// console cannot produce a page no browser can open; the plain text
	// route has it all.
	consoleMaxLines = 50_000
	// consoleMaxLine bounds one line's length in the view.
	consoleMaxLine = 1 << 20
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
	buildURL := BuildURL(b.JobName, b.UUID)
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
// consoleMaxLines) are kept.
func readConsole(r io.Reader, page *views.ConsolePage) error {
	query := strings.ToLower(page.Query)
	br := bufio.NewReaderSize(r, 64<<10)
	var ring []views.ConsoleLine // with !All: the last Tail matches, circular
	next := 0
	for {
		raw, err := readLine(br)
		if len(raw) > 0 || err == nil {
			page.Total++
			line := splitConsoleLine(page.Total, raw)
			if query == "" || strings.Contains(strings.ToLower(line.Text), query) {
				page.Matching++
				switch {
				case page.All && len(page.Lines) < consoleMaxLines:
					page.Lines = append(page.Lines, line)
				case page.All:
					page.Truncated = true
				case len(ring) < page.Tail:
					ring = append(ring, line)
				default:
					ring[next] = line
					next = (next + 1) % page.Tail
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
		page.Lines = append(ring[next:], ring[:next]...)
	}
	return nil
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
