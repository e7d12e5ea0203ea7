package handlers

import (
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// feedEntries is how many builds a feed lists.
const feedEntries = 50

// The Atom 1.0 document (RFC 4287), as much of it as the feeds use.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Feed is GET /feed.atom: the newest uploads of all jobs.
func (h *Handler) Feed(c *fiber.Ctx) error {
	builds, err := h.DB.FeedBuilds(c.UserContext(), feedEntries)
	if err != nil {
		return err
	}
	return h.sendFeed(c, "Builds", "/", builds)
}

// FailedFeed is GET /failed-builds/feed.atom: the newest failed builds.
func (h *Handler) FailedFeed(c *fiber.Ctx) error {
	builds, err := h.DB.FailedFeedBuilds(c.UserContext(), feedEntries)
	if err != nil {
		return err
	}
	return h.sendFeed(c, "Failed builds", "/failed-builds", builds)
}

// JobFeed is GET /job/:job/feed.atom: the newest builds of one job.
func (h *Handler) JobFeed(c *fiber.Ctx) error {
	job, err := h.loadJob(c)
	if err != nil {
		return err
	}
	builds, err := h.DB.JobFeedBuilds(c.UserContext(), job.ID, feedEntries)
	if err != nil {
		return err
	}
	return h.sendFeed(c, "Builds of "+job.Name, views.JobURL(job.Name)+"/failed", builds)
}

// sendFeed writes builds as an Atom feed whose HTML counterpart is page.
// Links are absolute (feed readers resolve nothing), built from the
// request's scheme and Host header; the scheme honours X-Forwarded-Proto
// from trusted proxies only.
func (h *Handler) sendFeed(c *fiber.Ctx, title, page string, builds []db.FeedBuild) error {
	scheme := "http"
	if h.secure(c) {
		scheme = "https"
	}
	base := scheme + "://" + string(c.Request().Host())
	self := base + c.Path() // Path is the route's (decoded) path; feeds take no query
	feed := atomFeed{
		ID:        self,
		Title:     title + " – builder-web",
		Links:     []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: base + page}},
		Author:    atomPerson{Name: "builder-web"},
		Generator: "builder-web",
	}
	var newest time.Time
	for _, b := range builds {
		if b.Finish.After(newest) {
			newest = b.Finish
		}
		feed.Entries = append(feed.Entries, feedEntry(base, b))
	}
	if newest.IsZero() {
		newest = time.Unix(0, 0) // an empty feed has not changed since ever
	}
	feed.Updated = atomTime(newest)
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return fmt.Errorf("render feed %s: %w", c.Path(), err)
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), out...))
}

func feedEntry(base string, b db.FeedBuild) atomEntry {
	res := builder.UnpackResult(b.ResultCode, b.ResultMsg)
	status := "failed"
	if b.Main != nil {
		status = "successful"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s on %s, started %s, finished %s: %s.", b.Job, b.Platform,
		views.FormatTime(b.Start), views.FormatTime(b.Finish), res.String())
	if b.Main != nil {
		fmt.Fprintf(&s, " Main binary %s (%s), SHA-256 %s.", b.Main.Filepath,
			views.FormatSize(b.Main.Size), hex.EncodeToString(b.Main.SHA256))
	} else {
		s.WriteString(" No main binary.")
	}
	return atomEntry{
		ID:         "urn:uuid:" + b.UUID,
		Title:      b.Job + " on " + b.Platform + ": " + res.String(),
		Updated:    atomTime(b.Finish),
		Published:  atomTime(b.Start),
		Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: base + views.BuildURL(b.Job, b.UUID)}},
		Categories: []atomCategory{{Term: b.Platform}, {Term: status}},
		Summary:    s.String(),
	}
}
