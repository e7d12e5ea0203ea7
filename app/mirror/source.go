package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits on what a source may send. A source is another server, trusted no
// more than an uploader: every answer is bounded, and every name in it is
// validated before it becomes a URL or a path.
const (
	// maxJSON bounds one JSON answer (a page of a list, a build).
	maxJSON = 32 << 20
	// idleTimeout ends a request whose answer stops arriving; a record's
	// total time is not bounded, since artifacts can be large.
	idleTimeout = 60 * time.Second
	// pageSize is the limit= of the list pages asked for (the
	// /failed-builds maximum).
	pageSize = 500
)

// NewClient returns the HTTP client a Puller uses by default: bounded
// connection set-up and header wait, no total timeout (see idleTimeout).
func NewClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: idleTimeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		// A source's JSON never redirects where a mirror goes; a redirect
		// to another host would leave the source the operator named.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// source is one server pulled from.
type source struct {
	base   *url.URL // scheme, host and path prefix, without a trailing '/'
	client *http.Client
}

// ParseSource checks a source URL: http or https, a host, no query; a path
// prefix is kept (a server behind a proxy under /builds/).
func ParseSource(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("source URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("source URL %q: want http(s)://host[:port][/prefix]", raw)
	}
	u.Host = strings.ToLower(u.Host) // one uploader account per host, however it is spelt
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// url joins escaped path segments and a query to the base.
func (s *source) url(query url.Values, segments ...string) string {
	var b strings.Builder
	b.WriteString(s.base.String())
	for _, seg := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	if len(query) > 0 {
		b.WriteByte('?')
		b.WriteString(query.Encode())
	}
	return b.String()
}

// statusError is an answer other than 200.
type statusError struct {
	URL    string
	Status int
}

func (e *statusError) Error() string { return fmt.Sprintf("GET %s: status %d", e.URL, e.Status) }

// isNotFound reports a 404 of the source: the thing was removed meanwhile.
func isNotFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

// open sends a GET and returns the body of a 200 answer, read under the
// idle timeout. The caller closes it.
func (s *source) open(ctx context.Context, target, accept string) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", target, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := s.client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GET %s: %w", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, &statusError{URL: target, Status: resp.StatusCode}
	}
	return newIdleBody(resp.Body, cancel), nil
}

// getJSON decodes a JSON answer of at most maxJSON bytes into v.
func (s *source) getJSON(ctx context.Context, target string, v any) error {
	body, err := s.open(ctx, target, "application/json")
	if err != nil {
		return err
	}
	defer body.Close()
	lr := &io.LimitedReader{R: body, N: maxJSON + 1}
	if err := json.NewDecoder(lr).Decode(v); err != nil {
		if lr.N <= 0 {
			return &sourceError{fmt.Errorf("GET %s: answer larger than %d bytes", target, maxJSON)}
		}
		return &sourceError{fmt.Errorf("GET %s: decode JSON: %w", target, err)}
	}
	return nil
}

// idleBody cancels its request when no byte arrived for idleTimeout.
type idleBody struct {
	rc     io.ReadCloser
	timer  *time.Timer
	cancel context.CancelFunc
}

func newIdleBody(rc io.ReadCloser, cancel context.CancelFunc) *idleBody {
	return &idleBody{rc: rc, timer: time.AfterFunc(idleTimeout, cancel), cancel: cancel}
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(idleTimeout)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel()
	return err
}

// parseTime reads the JSON's times ("2024-09-04T13:20:11-00:00").
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	return t.UTC(), nil
}
