package mirror

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/ingest"
	"github.com/builder-web/builder-web/views"
)

// maxArtifacts bounds the artifact list of one build read from the source
// (it is held in memory to check the record against).
const maxArtifacts = 200_000

// job pulls the builds of one job: the entries of /job/:job/failed (each
// failed build, and each distinct main binary shown by its newest build),
// and for a binary built several times the builds of
// /job/:job/output/:sha256. Both lists are newest first, so --since ends
// the paging.
func (r *pull) job(ctx context.Context, name string, named bool) error {
	if err := ingest.ValidateJobName(name); err != nil {
		return &sourceError{err}
	}
	cursor := ""
	for {
		var page views.JobJSON
		if err := r.src.getJSON(ctx, r.src.url(listQuery(cursor), "job", name, "failed"), &page); err != nil {
			if isNotFound(err) && cursor == "" && !named {
				return nil // removed on the source since it was listed
			}
			return err
		}
		for _, e := range page.Builds {
			start, err := parseTime(e.StartTime)
			if err != nil {
				return &sourceError{fmt.Errorf("job %s: build %s: %w", name, e.UUID, err)}
			}
			if r.tooOld(start) {
				return nil
			}
			if e.MainBinary != nil && e.Builds > 1 {
				if err := r.output(ctx, name, e.MainBinary.SHA256); err != nil {
					return err
				}
				continue
			}
			if err := r.build(ctx, name, e.UUID); err != nil {
				return err
			}
		}
		if page.NextCursor == "" || page.NextCursor == cursor || len(page.Builds) == 0 {
			return nil
		}
		cursor = page.NextCursor
	}
}

// output pulls every build of a job that produced the binary sha.
func (r *pull) output(ctx context.Context, job, sha string) error {
	if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
		return &sourceError{fmt.Errorf("job %s: bad main binary hash %q", job, sha)}
	}
	var list views.JobJSON
	if err := r.src.getJSON(ctx, r.src.url(nil, "job", job, "output", sha), &list); err != nil {
		if isNotFound(err) {
			return nil // removed meanwhile
		}
		return err
	}
	for _, b := range list.Builds {
		start, err := parseTime(b.StartTime)
		if err != nil {
			return &sourceError{fmt.Errorf("job %s: build %s: %w", job, b.UUID, err)}
		}
		if r.tooOld(start) {
			continue
		}
		if err := r.build(ctx, job, b.UUID); err != nil {
			return err
		}
	}
	return nil
}

// build pulls one build unless it is stored already. Only local failures
// (and ctx) are returned; whatever is wrong with the source's answer refuses
// the build.
func (r *pull) build(ctx context.Context, job, rawUUID string) error {
	id, err := builder.ParseUUID(rawUUID)
	if err != nil {
		r.refuse(job, "", err.Error()) // the error quotes it: no raw bytes of the source on a terminal
		return nil
	}
	uuid := builder.UUIDString(id)
	// Before any download: a second pull transfers nothing.
	exists, err := r.p.DB.BuildExists(ctx, uuid)
	if err != nil {
		return fmt.Errorf("check build %s: %w", uuid, err)
	}
	if exists {
		r.rep.Skipped++
		r.event(job, uuid, Skipped, "")
		return nil
	}
	want, err := r.artifacts(ctx, job, uuid)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case !isSourceError(err):
		return fmt.Errorf("build %s: %w", uuid, err) // the source is unreachable
	default:
		r.refuse(job, uuid, err.Error())
		return nil
	}
	stored, err := r.record(ctx, job, uuid, want)
	switch {
	case err == nil && stored:
		r.rep.New++
		r.event(job, uuid, New, "")
		return nil
	case err == nil: // stored meanwhile by someone else
		r.rep.Skipped++
		r.event(job, uuid, Skipped, "")
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case isFatal(err):
		return err
	}
	r.refuse(job, uuid, err.Error())
	return nil
}

// artifacts reads the build's JSON, following artifacts_next, and returns
// its artifacts by path.
func (r *pull) artifacts(ctx context.Context, job, uuid string) (*wantArtifacts, error) {
	want := &wantArtifacts{byPath: map[string]views.ArtifactJSON{}}
	var q url.Values
	for {
		var b views.BuildJSON
		if err := r.src.getJSON(ctx, r.src.url(q, "job", job, "build", uuid), &b); err != nil {
			return nil, err
		}
		if b.Job != job || b.UUID != uuid {
			return nil, sourceErrorf("the source's JSON names build %q/%q", b.Job, b.UUID)
		}
		for _, a := range b.Artifacts {
			if _, dup := want.byPath[a.Path]; dup {
				return nil, sourceErrorf("the source's JSON lists artifact %q twice", a.Path)
			}
			want.byPath[a.Path] = a
			want.order = append(want.order, a.Path)
		}
		if len(want.order) > maxArtifacts {
			return nil, sourceErrorf("the source lists more than %d artifacts", maxArtifacts)
		}
		if b.ArtifactsNext == "" {
			return want, nil
		}
		// Only the position is taken from the link: the URL is ours.
		next, err := url.Parse(b.ArtifactsNext)
		if err != nil {
			return nil, sourceErrorf("bad artifacts_next %q", b.ArtifactsNext)
		}
		after := next.Query().Get("artifacts_after")
		if _, err := strconv.ParseInt(after, 10, 64); err != nil || after == q.Get("artifacts_after") {
			return nil, sourceErrorf("bad artifacts_next %q", b.ArtifactsNext)
		}
		q = url.Values{"artifacts_after": {after}}
	}
}

// wantArtifacts are a build's artifacts as the source's JSON lists them.
type wantArtifacts struct {
	byPath map[string]views.ArtifactJSON
	order  []string // the source's database order
}

// fatalError marks a failure that ends the pull: of this data directory,
// or of the connection to the source (the builds left are for the next
// pull, not refusals).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func isFatal(err error) bool {
	var le *fatalError
	return errors.As(err, &le)
}

// record downloads the build's record and stores it through the upload
// path if its artifacts are exactly those of want; stored is false when the
// build was stored meanwhile. The record streams from the socket into the
// staging directory: memory does not grow with it.
func (r *pull) record(ctx context.Context, job, uuid string, want *wantArtifacts) (stored bool, err error) {
	body, err := r.src.open(ctx, r.src.url(nil, "job", job, "build", uuid, "exec"), "application/octet-stream")
	if err != nil {
		if !isSourceError(err) {
			return false, &fatalError{err} // the source is unreachable
		}
		return false, err
	}
	defer body.Close()
	var rd io.Reader = &countReader{r: body, n: &r.rep.Bytes}
	if r.p.MaxRecord > 0 {
		rd = &limitReader{r: rd, left: r.p.MaxRecord}
	}
	pend, err := r.p.Ingest.Prepare(ctx, rd, r.user)
	if err != nil {
		return false, r.classify(ctx, uuid, err)
	}
	if err := check(pend, job, uuid, want); err != nil {
		pend.Abort()
		return false, err
	}
	if err := pend.Order(want.order); err != nil { // cannot fail after check
		pend.Abort()
		return false, &fatalError{err}
	}
	if _, err := r.p.Ingest.Commit(ctx, pend); err != nil {
		return false, r.classify(ctx, uuid, err)
	}
	return true, nil
}

// classify tells the errors of the upload path apart: a conflict over
// uuid is the build stored meanwhile (nil), another status the record's
// fault, the rest a local failure. A conflict over another UUID is the
// record's fault too: it is not the build asked for.
func (r *pull) classify(ctx context.Context, uuid string, err error) error {
	var he *httperr.Error
	if !errors.As(err, &he) {
		return &fatalError{err}
	}
	if he.Status == http.StatusConflict {
		exists, xerr := r.p.DB.BuildExists(ctx, uuid)
		if xerr != nil {
			return &fatalError{fmt.Errorf("check build %s: %w", uuid, xerr)}
		}
		if exists {
			return nil
		}
	}
	return fmt.Errorf("record refused: %s", he.Error())
}

// check compares a prepared record with the source's JSON: the same job
// and UUID, and exactly the listed artifacts with their hashes and sizes.
func check(p *ingest.Pending, job, uuid string, want *wantArtifacts) error {
	if p.Job() != job || p.UUID() != uuid {
		return fmt.Errorf("the record is build %s/%s", p.Job(), p.UUID())
	}
	got := p.Artifacts()
	for _, a := range got {
		w, ok := want.byPath[a.Path]
		if !ok {
			return fmt.Errorf("artifact %q is in the record but not in the source's JSON", a.Path)
		}
		sum, err := hex.DecodeString(w.SHA256)
		if err != nil || !bytes.Equal(sum, a.SHA256) || w.Size != a.Size {
			return fmt.Errorf("artifact %q: SHA-256 %x (%d bytes) in the record, %q (%d bytes) in the source's JSON",
				a.Path, a.SHA256, a.Size, w.SHA256, w.Size)
		}
	}
	if len(got) != len(want.order) {
		return fmt.Errorf("the record has %d artifacts, the source's JSON %d", len(got), len(want.order))
	}
	return nil
}

// countReader adds the bytes read to *n.
type countReader struct {
	r io.Reader
	n *int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// limitReader fails once more than left bytes arrive, so that a record over
// the upload limit is refused rather than cut short.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

var errTooLarge = errors.New("record larger than the upload limit")
