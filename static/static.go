// Package static embeds the stylesheets and scripts of the web interface and
// names each by a hash of its content, so pages can link to
// /static/<hash>/<name> and browsers may cache those URLs forever.
//
// The third-party files (htmx, its SSE extension, Pico CSS) are vendored from
// npm; VERSIONS records their versions and update.sh refreshes them.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"sort"

	"github.com/builder-web/builder-web/app/pagecache"
)

//go:embed htmx.min.js sse.js pico.min.css app.css app.js
var files embed.FS

// Prefix is the URL path under which Assets serves its files.
const Prefix = "/static/"

// CacheControl is the header to send with a file found by Lookup: the URL
// changes whenever the content does, so the response never goes stale.
const CacheControl = "public, max-age=31536000, immutable"

// hashLen is the number of hex digits of the SHA-256 kept in URLs: enough to
// tell versions apart, short enough to keep pages small.
const hashLen = 16

// Files returns the embedded files, by name (e.g. "htmx.min.js").
func Files() fs.FS { return files }

// Assets knows the content hash, bytes and type of every embedded file. It is
// immutable after New and safe for concurrent use.
type Assets struct {
	byName map[string]asset
}

type asset struct {
	hash        string
	body        []byte
	contentType string
	// coded holds the body compressed once at start (issue 17).
	coded *pagecache.Entry
}

// New reads and hashes every embedded file once.
func New() (*Assets, error) {
	a := &Assets{byName: map[string]asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a.byName[name] = asset{
			hash:        hex.EncodeToString(sum[:])[:hashLen],
			body:        body,
			contentType: contentType(name),
			coded:       pagecache.NewEntry(200, nil, body, true),
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return a, nil
}

// URL returns the content-addressed path of an embedded file, such as
// "/static/3f2a…/htmx.min.js". It panics on a name that is not embedded: that
// is a typo in a template, which the template tests catch at once (html/template
// turns the panic into an execution error).
func (a *Assets) URL(name string) string {
	f, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("static: no embedded file %q", name))
	}
	return Prefix + f.hash + "/" + name
}

// Lookup returns the content and Content-Type of name if hash is its current
// hash. A stale or unknown hash is not found, so a cached old page never gets
// new content under an old immutable URL.
func (a *Assets) Lookup(hash, name string) (body []byte, contentType string, ok bool) {
	f, ok := a.byName[name]
	if !ok || f.hash != hash {
		return nil, "", false
	}
	return f.body, f.contentType, true
}

// LookupEncoded is Lookup in the content coding the client accepts
// (Accept-Encoding); sent is the coding of body, Identity when compressing
// that file was not worth it.
func (a *Assets) LookupEncoded(hash, name string, accept pagecache.Encoding) (
	body []byte, sent pagecache.Encoding, contentType string, ok bool) {
	f, ok := a.byName[name]
	if !ok || f.hash != hash {
		return nil, pagecache.Identity, "", false
	}
	body, sent = f.coded.Body(accept)
	return body, sent, f.contentType, true
}

// Names lists the embedded files, sorted.
func (a *Assets) Names() []string {
	names := make([]string, 0, len(a.byName))
	for n := range a.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// contentType is fixed for the types we ship rather than taken from the
// system's MIME tables, which differ between machines.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
