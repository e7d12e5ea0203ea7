// Package mirror copies the builds of another builder-web server into this
// one (builder-db pull, builder-web --pull): it reads the source's JSON
// lists, fetches each build it lacks as a builder record (/exec), checks
// every artifact against the source's JSON and stores the build through
// the upload path, under its own UUID and the uploader "pull:<host>".
package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/views"
)

// UploaderPrefix starts the name of the account mirrored builds are
// attributed to. The ':' keeps the name out of the accounts people use:
// accounts.CheckName refuses it, and HTTP Basic could not carry it.
const UploaderPrefix = "pull:"

// Puller stores builds of other servers into one data directory.
type Puller struct {
	DB     *db.DB
	Ingest *ingest.Ingester
	// Client sends the requests; nil means NewClient().
	Client *http.Client
	// MaxRecord bounds one record's size (the upload limit); 0: no bound.
	MaxRecord int64
	Log       *slog.Logger
}

// Options select what a pull copies.
type Options struct {
	// Jobs, when not empty, are the only jobs pulled.
	Jobs []string
	// Since, when not zero, skips builds that started before it.
	Since time.Time
	// Progress, when set, is called after each build looked at.
	Progress func(Event)
}

// Outcome is what happened to one build of the source.
type Outcome string

// The outcomes of a build.
const (
	New     Outcome = "new"     // stored
	Skipped Outcome = "skipped" // stored already: nothing was downloaded
	Refused Outcome = "refused" // not stored: see Event.Reason
)

// Event reports one build looked at.
type Event struct {
	Job, UUID string
	Outcome   Outcome
	Reason    string // why it was refused
	Report    Report // the totals so far
}

// Refusal is a build (or a whole job, UUID empty) that was not stored.
type Refusal struct {
	Job, UUID string
	Reason    string
}

func (r Refusal) String() string {
	if r.UUID == "" {
		return fmt.Sprintf("job %s: %s", r.Job, r.Reason)
	}
	return fmt.Sprintf("%s/%s: %s", r.Job, r.UUID, r.Reason)
}

// Report sums up a pull.
type Report struct {
	New, Skipped int
	Refused      []Refusal
	// Bytes is the size of the records downloaded (refused ones included).
	Bytes int64
}

// String is the summary line of builder-db pull and of the server's log.
func (r Report) String() string {
	return fmt.Sprintf("%d new, %d skipped, %d refused, %d bytes", r.New, r.Skipped, len(r.Refused), r.Bytes)
}

// Host is the source's host as the uploader name shows it.
func Host(source string) (string, error) {
	u, err := ParseSource(source)
	if err != nil {
		return "", err
	}
	return u.Host, nil
}

// pull is one run against one source.
type pull struct {
	p    *Puller
	src  *source
	opts Options
	user ingest.Uploader
	rep  Report
}

// Pull copies from the server at sourceURL every build this data directory
// lacks. A build that cannot be stored is refused and reported, and the
// pull goes on with the next one; the error is for what ends the whole pull
// (a bad URL, the source unreachable, the local database failing, ctx).
func (p *Puller) Pull(ctx context.Context, sourceURL string, opts Options) (Report, error) {
	base, err := ParseSource(sourceURL)
	if err != nil {
		return Report{}, err
	}
	for _, j := range opts.Jobs {
		if err := ingest.ValidateJobName(j); err != nil {
			return Report{}, err
		}
	}
	client := p.Client
	if client == nil {
		client = NewClient()
	}
	user, err := ops.SystemUploader(ctx, p.DB, UploaderPrefix+base.Host)
	if err != nil {
		return Report{}, fmt.Errorf("pull from %s: uploader: %w", base.Host, err)
	}
	r := &pull{p: p, src: &source{base: base, client: client}, opts: opts, user: user}
	jobs, named := opts.Jobs, len(opts.Jobs) > 0 // a named job missing on the source is refused
	if !named {
		if jobs, err = r.jobNames(ctx); err != nil {
			return r.rep, fmt.Errorf("pull from %s: %w", base.Host, err)
		}
	}
	for _, job := range jobs {
		if err := r.job(ctx, job, named); err != nil {
			if !isSourceError(err) || ctx.Err() != nil {
				return r.rep, fmt.Errorf("pull from %s: %w", base.Host, err)
			}
			// The job's builds not looked at yet wait for the next pull.
			r.rep.Refused = append(r.rep.Refused, Refusal{Job: job, Reason: err.Error()})
			if p.Log != nil {
				p.Log.Warn("pull: job refused", "source", base.Host, "job", job, "reason", err.Error())
			}
		}
	}
	return r.rep, nil
}

// sourceError marks what went wrong on the source's side (an answer that
// is missing or malformed), as opposed to a local failure.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func sourceErrorf(format string, args ...any) error {
	return &sourceError{fmt.Errorf(format, args...)}
}

func isSourceError(err error) bool {
	var se *sourceError
	var st *statusError
	return errors.As(err, &se) || errors.As(err, &st)
}

// jobNames lists the source's jobs: those with a successful build (the
// overview of /all-builds) and those with failed builds only.
func (r *pull) jobNames(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var overview struct {
		Jobs []views.OverviewJobJSON `json:"jobs"`
	}
	if err := r.src.getJSON(ctx, r.src.url(nil, "all-builds"), &overview); err != nil {
		return nil, err
	}
	for _, j := range overview.Jobs {
		seen[j.Name] = true
	}
	err := r.failedJobs(ctx, seen)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// failedJobs adds the jobs of the source's failed builds to seen.
func (r *pull) failedJobs(ctx context.Context, seen map[string]bool) error {
	var failed views.FailedJSON
	cursor := ""
	for {
		q := listQuery(cursor)
		failed.Builds, failed.NextCursor = nil, ""
		if err := r.src.getJSON(ctx, r.src.url(q, "failed-builds"), &failed); err != nil {
			return err
		}
		for _, b := range failed.Builds {
			if start, err := parseTime(b.StartTime); err == nil && r.tooOld(start) {
				return nil // newest first: the rest is older still
			}
			seen[b.Job] = true
		}
		if failed.NextCursor == "" || failed.NextCursor == cursor || len(failed.Builds) == 0 {
			return nil
		}
		cursor = failed.NextCursor
	}
}

// listQuery asks for a page of a list, after cursor unless it is empty.
func listQuery(cursor string) url.Values {
	q := url.Values{"limit": {strconv.Itoa(pageSize)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return q
}

func (r *pull) tooOld(start time.Time) bool {
	return !r.opts.Since.IsZero() && start.Before(r.opts.Since)
}

func (r *pull) refuse(job, uuid, reason string) {
	r.rep.Refused = append(r.rep.Refused, Refusal{Job: job, UUID: uuid, Reason: reason})
	r.event(job, uuid, Refused, reason)
	if r.p.Log != nil {
		r.p.Log.Warn("pull: build refused", "source", r.src.base.Host, "job", job, "uuid", uuid, "reason", reason)
	}
}

func (r *pull) event(job, uuid string, o Outcome, reason string) {
	if r.opts.Progress != nil {
		r.opts.Progress(Event{Job: job, UUID: uuid, Outcome: o, Reason: reason, Report: r.rep})
	}
}
