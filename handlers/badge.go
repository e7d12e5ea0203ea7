package handlers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/repro"
	"github.com/builder-web/builder-web/db"
)

// Badge colours (those of shields.io's flat style).
const (
	badgeGrey  = "#555"
	badgeGreen = "#4c1"
	badgeRed   = "#e05d44"
	badgeNone  = "#9f9f9f"
	// badgeOrange: a binary was built, but its input did not reproduce.
	badgeOrange = "#fe7d37"
)

// badgePart is one segment of a badge.
type badgePart struct {
	Text, Color string
}

// Badge is GET /job/:job/badge.svg[?platform=]: the job's name, then the
// result of its newest build on each platform (or on the one asked for).
// A platform without builds shows "no builds" rather than a broken image.
func (h *Handler) Badge(c *fiber.Ctx) error {
	job, err := h.loadJob(c)
	if err != nil {
		return err
	}
	platform := copyString(c.Query("platform"))
	builds, err := h.DB.LatestPerPlatform(c.UserContext(), job.ID, platform)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(builds))
	for _, b := range builds {
		ids = append(ids, b.ID)
	}
	marks, err := h.reproMarks(c.UserContext(), ids)
	if err != nil {
		return err
	}
	parts := []badgePart{{Text: job.Name, Color: badgeGrey}}
	for _, b := range builds {
		m, ok := marks[b.UUID]
		parts = append(parts, badgeResult(b, m, ok))
	}
	if len(builds) == 0 {
		text := "no builds"
		if platform != "" {
			text = platform + ": no builds"
		}
		parts = append(parts, badgePart{Text: text, Color: badgeNone})
	}
	// The job name in it is an uploader's: opened alone, the SVG must not
	// run in the site's origin either.
	setSandbox(c, downloadPolicy)
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.Send(renderBadge(parts))
}

// badgeResult says how the newest build on a platform ended: "ok" when it
// has a main binary (the reference's meaning of successful), followed by
// the verdict of its input when it has one ("ok, reproducible"), else its
// result ("exited 1"), or "no binary" for a clean exit without one.
func badgeResult(b db.FeedBuild, m repro.Mark, marked bool) badgePart {
	if b.Main != nil {
		switch {
		case !marked:
			return badgePart{Text: b.Platform + ": ok", Color: badgeGreen}
		case m.Verdict == repro.NotReproducible:
			return badgePart{Text: b.Platform + ": ok, " + m.Verdict.Label(), Color: badgeOrange}
		default:
			return badgePart{Text: b.Platform + ": ok, " + m.Verdict.Label(), Color: badgeGreen}
		}
	}
	res := builder.UnpackResult(b.ResultCode, b.ResultMsg)
	text := res.String()
	if res.Kind == builder.Exited && res.Code == 0 {
		text = "no binary"
	}
	return badgePart{Text: b.Platform + ": " + text, Color: badgeRed}
}

// renderBadge draws a flat badge: one coloured rectangle per part, the
// text centred with a faint shadow. Widths come from textWidth, an
// estimate for Verdana 11px: no font is measured.
func renderBadge(parts []badgePart) []byte {
	widths := make([]int, len(parts))
	total := 0
	for i, p := range parts {
		widths[i] = textWidth(p.Text) + 10
		total += widths[i]
	}
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.Text
	}
	label := escapeXML(strings.Join(texts, " | "))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, total, label)
	fmt.Fprintf(&b, `<title>%s</title>`, label)
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)">`, total)
	x := 0
	for i, p := range parts {
		fmt.Fprintf(&b, `<rect x="%d" width="%d" height="20" fill="%s"/>`, x, widths[i], p.Color)
		x += widths[i]
	}
	fmt.Fprintf(&b, `<rect width="%d" height="20" fill="url(#s)"/></g>`, total)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	x = 0
	for i, p := range parts {
		mid := x + widths[i]/2
		t := escapeXML(p.Text)
		fmt.Fprintf(&b, `<text x="%d" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%d" y="14">%s</text>`, mid, t, mid, t)
		x += widths[i]
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}

func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder never fail
	return b.String()
}

// textWidth estimates the width in pixels of s in Verdana 11px.
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("iljtf.,:;!'|() ", r):
			w += 3.9
		case strings.ContainsRune("mwMW@%", r):
			w += 10.5
		case r >= 'A' && r <= 'Z':
			w += 7.6
		default:
			w += 6.8
		}
	}
	return int(w + 0.5)
}
