package views

import (
	"html/template"
	"strconv"
	"strings"
	"time"
)

// The overview pages: front page, job page, failed builds, API description
// (reference §6.1–6.3, product.md §3.1).

// BuildRow is a build as lists show it.
type BuildRow struct {
	Job      string
	JobURL   string
	UUID     string
	URL      string // the build page
	Platform string
	// PlatformURL is the job page filtered by the platform.
	PlatformURL string
	Start       time.Time
	Duration    time.Duration
	Result      Result
	Binary      *Binary // nil for a failed build
	// Count is how many builds produced Binary (job page); OutputURL lists
	// them.
	Count     int
	OutputURL string
	// Repro is the reproducibility mark of the build's input (issue 12);
	// nil for a failed build or one without an input id.
	Repro *RowRepro
	// Cells, when set, is the front page row's cells after the job's
	// cell (FrontCells), which FrontJob.TableRows then writes instead of
	// the fields: the handler keeps them per build (FrontCellsCache).
	Cells string

	// The start and duration as the "time" partial and the "duration"
	// function print them, filled by Format. Lists show up to hundreds of
	// rows, and a template function call is a reflective call (plus the
	// escaper calls html/template adds around it), far dearer than reading
	// a field.
	StartText    string // FormatTime
	StartISO     string // RFC 3339 (the datetime attribute)
	StartAgo     string // FormatAgo, the title hint
	DurationText string // FormatDuration
}

// RowRepro is a list row's reproducibility mark: the verdict of the
// build's input and "×3, 2 uploaders" (builds of that input with this
// binary).
type RowRepro struct {
	Verdict Verdict
	Text    string
	URL     string // the job's reproducibility view
}

// Format fills the preformatted fields of r and of its binary; now is the
// reference time of the "ago" hints.
func (r *BuildRow) Format(now time.Time) {
	r.StartText = FormatTime(r.Start)
	r.StartISO = r.Start.UTC().Format(time.RFC3339)
	r.StartAgo = FormatAgo(r.Start, now)
	r.DurationText = FormatDuration(r.Duration)
	if b := r.Binary; b != nil {
		b.SizeText = FormatSize(b.Size)
		b.Hex = Hex(b.SHA256)
		b.ShortHash = ShortHash(b.Hex)
	}
}

// Binary is a build's main binary with its download link.
type Binary struct {
	Name   string // base name
	URL    string // /job/<job>/build/<uuid>/f/<path>
	SHA256 []byte
	Size   int64
	// Filled by BuildRow.Format: FormatSize, the hex hash and ShortHash.
	SizeText  string
	Hex       string
	ShortHash string
}

// Chip is one choice of a filter shown as a link or a radio button.
type Chip struct {
	Text   string
	Value  string
	URL    string
	Active bool
}

// FrontPage is the Body of the "front" page (GET / and /all-builds).
type FrontPage struct {
	// AllBuilds is set on /all-builds (no expiry filter, other footer link).
	AllBuilds bool
	// Action is the filter form's target: "/" or "/all-builds".
	Action string
	// Query, Platform and Expired are the filter's current values.
	Query    string
	Platform string
	Expired  bool
	// ExpiredDays is the expiry rule (0: never).
	ExpiredDays int
	Platforms   []Chip
	Sections    []FrontSection
	// Matches counts the jobs shown.
	Matches int
	// HiddenExpired counts the jobs the expiry rule hides when it hides
	// every job, so an empty page can say why it is empty.
	HiddenExpired int
	// Since is the newest build id when the page was made, for the "new
	// builds" banner.
	Since int64
}

// FrontSection is one section heading of the front page with its jobs.
type FrontSection struct {
	Name string
	Jobs []FrontJob
}

// FrontJob is one job of the front page with its newest successful build per
// platform.
type FrontJob struct {
	Name     string
	URL      string
	Synopsis string
	Builds   []BuildRow
}

// JobPage is the Body of the "job" page (GET /job/:job and /job/:job/failed).
type JobPage struct {
	Job      string
	URL      string // /job/<job>
	Platform string // the platform filter, "" for all
	Failed   bool   // failed builds included
	// ToggleURL switches failed builds on or off, keeping the platform.
	ToggleURL string
	Platforms []Chip
	Readme    template.HTML // rendered, safe; empty without README
	Rows      []BuildRow
	// NextURL loads the rows after the last one shown; empty at the end.
	NextURL string
	// NewBuildsURL is polled for the "new builds" banner.
	NewBuildsURL string
}

// OutputPage is the Body of the "output" page: the builds of a job that
// produced one main binary (the job page's "built N times").
type OutputPage struct {
	Job    string
	URL    string // the job page
	SHA256 []byte
	Rows   []BuildRow
}

// FailedPage is the Body of the "failed" page (GET /failed-builds).
type FailedPage struct {
	Platform  string
	Result    string
	Count     int // page size
	Platforms []Chip
	Results   []Chip
	Rows      []BuildRow
	// NextURL is the next page; empty at the end.
	NextURL string
	// Filtered is set when a filter is active (the empty state says so).
	Filtered bool
}

// NewBuilds is the Body of the "new builds" banner fragment.
type NewBuilds struct {
	Count int
	URL   string // where "show" goes: the page, reloaded
}

// TableRows is the job's rows of the front page's table, one per platform,
// with the job's cell spanning them. The front page shows a row per job and
// platform (400 on the generated 200,000-build data set), and html/template
// makes every action in a row a reflective call (the escapers it inserts
// around each value, three for a URL): about twenty per row took half the
// page's time. So the rows are written here, with the escaping html/template
// applies in these contexts (TestFrontRowsMatchTemplate checks the bytes
// against the template this replaces).
func (j FrontJob) TableRows() template.HTML {
	var b strings.Builder
	b.Grow(len(j.Builds) * rowBytes)
	j.writeRows(&b)
	return template.HTML(b.String()) // every value is escaped
}

// TableRows is the rows of all the section's jobs (FrontJob.TableRows),
// written into one buffer sized up front (a builder per job grew several
// times each and allocated ~1 MB per front page), and handed to the
// template in pieces of about rowChunk bytes: the template prints each
// through fmt, which copies what it prints into a buffer it keeps for
// reuse only up to 64 KiB.
func (s FrontSection) TableRows() []template.HTML {
	size := s.RowsSize()
	var b strings.Builder
	b.Grow(size)
	ends := make([]int, 0, size/rowChunk+1)
	last := 0
	for i := range s.Jobs {
		s.Jobs[i].writeRows(&b)
		if b.Len()-last >= rowChunk || i == len(s.Jobs)-1 {
			last = b.Len()
			ends = append(ends, last)
		}
	}
	all := b.String()
	out := make([]template.HTML, len(ends))
	start := 0
	for i, end := range ends {
		out[i] = template.HTML(all[start:end]) // every value is escaped
		start = end
	}
	return out
}

// RowsSize is about the size of TableRows' output, a little more rather
// than less: exact for the rows with Cells, rowBytes for the others.
func (s FrontSection) RowsSize() int {
	n := 0
	for i := range s.Jobs {
		j := &s.Jobs[i]
		n += 3*len(j.Name) + len(j.URL) + len(j.Synopsis) + 128 // the job's cell
		for k := range j.Builds {
			n += len(j.Name) + 48 // <tr> and its data-job
			if c := j.Builds[k].Cells; c != "" {
				n += len(c)
			} else {
				n += rowBytes
			}
		}
	}
	return n
}

// rowChunk is the size of the pieces of FrontSection.TableRows.
const rowChunk = 32 << 10

// rowBytes is a little more than a front page row takes (~1,100 bytes
// with a reproducibility mark), so that the buffer rarely grows.
const rowBytes = 1280

func (j *FrontJob) writeRows(b *strings.Builder) {
	for i := range j.Builds {
		r := &j.Builds[i]
		if i == 0 {
			b.WriteString("\n<tr class=\"job-first\" data-job=\"")
		} else {
			b.WriteString("\n<tr class=\"job-more\" data-job=\"")
		}
		writeEscaped(b, j.Name)
		b.WriteString(`">`)
		if i == 0 {
			b.WriteString(`<td rowspan="`)
			b.WriteString(strconv.Itoa(len(j.Builds)))
			b.WriteString(`" class="job-name"><a href="`)
			writeURL(b, j.URL)
			b.WriteString(`">`)
			writeEscaped(b, j.Name)
			b.WriteString(`</a>`)
			if j.Synopsis != "" {
				b.WriteString(`<br><small>`)
				writeEscaped(b, j.Synopsis)
				b.WriteString(`</small>`)
			}
			b.WriteString(`</td>`)
		}
		if r.Cells != "" {
			b.WriteString(r.Cells)
		} else {
			writeFrontCells(b, r)
		}
	}
}

// FrontCells is what FrontJob.TableRows writes for the row r after the
// job's cell, for BuildRow.Cells.
func FrontCells(r *BuildRow) string {
	var b strings.Builder
	b.Grow(rowBytes)
	writeFrontCells(&b, r)
	return b.String()
}

func writeFrontCells(b *strings.Builder, r *BuildRow) {
	if r.Result.OK {
		b.WriteString("\n<td data-label=\"Platform\"><span class=\"result result-ok\" title=\"")
	} else {
		b.WriteString("\n<td data-label=\"Platform\"><span class=\"result result-fail\" title=\"")
	}
	writeEscaped(b, r.Result.Text)
	if r.Result.OK {
		b.WriteString(`"><span class="mark" aria-hidden="true">&#9745;</span></span><a href="`)
	} else {
		b.WriteString(`"><span class="mark" aria-hidden="true">&#9746;</span></span><a href="`)
	}
	writeURL(b, r.PlatformURL)
	b.WriteString(`">`)
	writeEscaped(b, r.Platform)
	b.WriteString("</a></td>\n<td data-label=\"Latest build\"><a href=\"")
	writeURL(b, r.URL)
	b.WriteString(`"><time datetime="`)
	writeEscaped(b, r.StartISO)
	b.WriteString(`" title="`)
	writeEscaped(b, r.StartAgo)
	b.WriteString(`">`)
	writeEscaped(b, r.StartText)
	b.WriteString("</time></a>")
	if rr := r.Repro; rr != nil {
		b.WriteString(` <a href="`)
		writeURL(b, rr.URL)
		b.WriteString(`" class="verdict verdict-`)
		writeEscaped(b, rr.Verdict.Key)
		b.WriteString(`" title="`)
		writeEscaped(b, rr.Verdict.Label)
		b.WriteString(`, `)
		writeEscaped(b, rr.Text)
		b.WriteString(`"><span class="mark" aria-hidden="true">`)
		writeEscaped(b, rr.Verdict.Mark)
		b.WriteString(`</span><span class="visually-hidden">`)
		writeEscaped(b, rr.Verdict.Label)
		b.WriteString(`</span></a>`)
	}
	b.WriteString("</td>\n<td data-label=\"Main binary\">")
	if bin := r.Binary; bin != nil {
		b.WriteString(`<a href="`)
		writeURL(b, bin.URL)
		b.WriteString(`">Download `)
		writeEscaped(b, bin.Name)
		b.WriteString(` (`)
		writeEscaped(b, bin.SizeText)
		b.WriteString(`)</a>`)
	}
	b.WriteString("</td>\n<td data-label=\"SHA-256\" class=\"col-optional\">")
	if bin := r.Binary; bin != nil {
		b.WriteString(`<span class="hash-copy"><span class="hash hash-short" title="`)
		writeEscaped(b, bin.Hex)
		b.WriteString(`">`)
		writeEscaped(b, bin.ShortHash)
		b.WriteString(`</span><button type="button" class="copy js-only secondary outline" data-copy="`)
		writeEscaped(b, bin.Hex)
		b.WriteString(`" aria-label="Copy SHA-256">Copy</button></span>`)
	}
	b.WriteString("</td>\n</tr>")
}

// writeEscaped writes s escaped as html/template escapes a string in text
// and in quoted attribute values: NUL, quotes, '&', '+', '<' and '>'. These
// are all ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte
// character, so working on bytes is the same as html/template's runes.
func writeEscaped(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// writeURL writes s as html/template writes a string into an href: a URL
// with a scheme other than http, https or mailto becomes "#ZgotmplZ"; bytes
// that are neither unreserved nor reserved in RFC 3986 (and not a valid %xx
// escape) are percent-encoded; the result is escaped as an attribute value.
func writeURL(b *strings.Builder, s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		b.WriteString("#ZgotmplZ")
		return
	}
	const hexDigits = "0123456789abcdef"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$*,/:;=?@[]", c) >= 0:
			continue
		case c == '&' || c == '+': // kept by the URL normalizer, escaped as attribute text
			b.WriteString(s[last:i])
			if c == '&' {
				b.WriteString("&amp;")
			} else {
				b.WriteString("&#43;")
			}
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		default:
			b.WriteString(s[last:i])
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
		last = i + 1
	}
	b.WriteString(s[last:])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// TableRows is the job page's build rows (the "job_rows" fragment without
// its "older builds" row), written here with the escaping html/template
// applies in these contexts for the same reason as FrontJob.TableRows: the
// template made ~30 reflective calls per row, half of a job page's time.
// TestJobRowsMatchTemplate checks the bytes against the template this
// replaces.
func (p JobPage) TableRows() template.HTML {
	var b strings.Builder
	b.Grow(len(p.Rows) * jobRowBytes)
	for i := range p.Rows {
		r := &p.Rows[i]
		b.WriteString("<tr class=\"build-row\">\n<td class=\"center\" data-label=\"A\"><input type=\"radio\" name=\"left\" value=\"")
		writeEscaped(&b, r.UUID)
		b.WriteString(`" aria-label="Compare build of `)
		writeEscaped(&b, r.StartText)
		b.WriteString(" as A\"></td>\n<td class=\"center\" data-label=\"B\"><input type=\"radio\" name=\"right\" value=\"")
		writeEscaped(&b, r.UUID)
		b.WriteString(`" aria-label="Compare build of `)
		writeEscaped(&b, r.StartText)
		b.WriteString(" as B\"></td>\n<td data-label=\"Result\">")
		if r.Result.OK {
			b.WriteString(`<span class="result result-ok"><span class="mark" aria-hidden="true">&#9745;</span>`)
		} else {
			b.WriteString(`<span class="result result-fail"><span class="mark" aria-hidden="true">&#9746;</span>`)
		}
		writeEscaped(&b, r.Result.Text)
		b.WriteString("</span></td>\n<td data-label=\"Platform\"><a href=\"")
		writeURL(&b, r.PlatformURL)
		b.WriteString(`">`)
		writeEscaped(&b, r.Platform)
		b.WriteString("</a></td>\n<td data-label=\"Start\"><a href=\"")
		writeURL(&b, r.URL)
		b.WriteString(`"><time datetime="`)
		writeEscaped(&b, r.StartISO)
		b.WriteString(`" title="`)
		writeEscaped(&b, r.StartAgo)
		b.WriteString(`">`)
		writeEscaped(&b, r.StartText)
		b.WriteString("</time></a></td>\n<td data-label=\"Duration\" class=\"num col-optional\">")
		writeEscaped(&b, r.DurationText)
		b.WriteString("</td>\n")
		bin := r.Binary
		if bin == nil {
			b.WriteString(`<td colspan="3" data-label="Main binary">Build failure: `)
			writeEscaped(&b, r.Result.Text)
			b.WriteString("</td>\n</tr>\n")
			continue
		}
		b.WriteString(`<td data-label="Main binary"><a href="`)
		writeURL(&b, bin.URL)
		b.WriteString(`">Download `)
		writeEscaped(&b, bin.Name)
		b.WriteString(` (`)
		writeEscaped(&b, bin.SizeText)
		b.WriteString(`)</a>`)
		if r.OutputURL != "" {
			b.WriteString("\n<details class=\"output\" hx-get=\"")
			writeEscaped(&b, r.OutputURL)
			b.WriteString(`" hx-trigger="toggle once" hx-target="find .output-builds"><summary>built `)
			if r.Count == 1 {
				b.WriteString("once")
			} else {
				b.WriteString(strconv.Itoa(r.Count))
				b.WriteString(" times")
			}
			b.WriteString(`</summary><div class="output-builds"><a href="`)
			writeURL(&b, r.OutputURL)
			b.WriteString(`">List the `)
			writeEscaped(&b, FormatCount(int64(r.Count), "build", "builds"))
			b.WriteString(`</a></div></details>`)
		}
		b.WriteString("</td>\n<td data-label=\"SHA-256\" class=\"col-optional\"><span class=\"hash-copy\"><span class=\"hash hash-short\" title=\"")
		writeEscaped(&b, bin.Hex)
		b.WriteString(`">`)
		writeEscaped(&b, bin.ShortHash)
		b.WriteString(`</span><button type="button" class="copy js-only secondary outline" data-copy="`)
		writeEscaped(&b, bin.Hex)
		b.WriteString("\" aria-label=\"Copy SHA-256\">Copy</button></span></td>\n<td data-label=\"Reproducible\">")
		if rr := r.Repro; rr != nil {
			b.WriteString(`<a href="`)
			writeURL(&b, rr.URL)
			b.WriteString(`" class="repro-mark"><span class="verdict verdict-`)
			writeEscaped(&b, rr.Verdict.Key)
			b.WriteString(`"><span class="mark" aria-hidden="true">`)
			writeEscaped(&b, rr.Verdict.Mark)
			b.WriteString(`</span> `)
			writeEscaped(&b, rr.Verdict.Label)
			b.WriteString(`</span></a> <small>`)
			writeEscaped(&b, rr.Text)
			b.WriteString(`</small>`)
		} else {
			b.WriteString(`<span class="verdict verdict-unverified" title="No input id: the build lacks opam-switch, build-environment or system-packages"><span class="mark" aria-hidden="true">?</span> unknown input</span>`)
		}
		b.WriteString("</td>\n</tr>\n")
	}
	return template.HTML(b.String()) // every value above is escaped
}

// jobRowBytes is a little more than a job page row takes.
const jobRowBytes = 1600
