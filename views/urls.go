package views

import (
	"net/url"
	"strconv"
)

// The site's URLs, built in one place: handlers, view models and feeds
// link through these, so a route and its links cannot drift apart.

// JobURL is a job's page.
func JobURL(job string) string { return "/job/" + PathEscape(job) }

// BuildURL is the canonical link of a build, with the job's real name.
func BuildURL(job, uuid string) string { return JobURL(job) + "/build/" + uuid }

// CompareURL is the comparison of two builds, left first.
func CompareURL(left, right string) string { return "/compare/" + left + "/" + right }

// CompareViewURL is CompareURL in the view that also shows unchanged
// entries when all is set.
func CompareViewURL(left, right string, all bool) string {
	if all {
		return CompareURL(left, right) + "?all=1"
	}
	return CompareURL(left, right)
}

// UserURL is an account's admin page.
func UserURL(name string) string { return "/admin/users/" + url.PathEscape(name) }

// NewBuildsURL is the htmx poll for builds of job newer than build id since.
func NewBuildsURL(since int64, job string) string {
	return "/new-builds?since=" + strconv.FormatInt(since, 10) + "&job=" + url.QueryEscape(job)
}
