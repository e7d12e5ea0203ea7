package handlers_test

import (
	"math/rand/v2"
	"net/http"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// Pieces the random job names and artifact paths are made of: the
// characters and names that a file system, SQLite, URLs or tar treat
// specially, next to ordinary ones.
var (
	nameParts = []string{"a", "job", "x-y", "1.0", ".", "..", "_", "/", "\x00", "\n", "\t", "\x1b", "\x7f",
		"\xff", "\xe2\x82", "é", "日本", "\u202e", " ", "%", "%00", "?", "#", "&", "<", "builder.sqlite3",
		"-wal", "-shm", "-journal", "_artifacts", "_staging", "_cache", "\\", ":", "*"}
	// No NUL in paths: the encoder refuses it as the decoder does
	// (vector malformed_nul_in_path).
	pathParts = []string{"bin", "x", "a b", "", ".", "..", "\x01", "\xff", "é", "README.md", "opam-switch",
		"build-environment", "system-packages", "p.build-hashes", "sub", "%2F", "\n", "..."}
)

func randomJob(r *rand.Rand) string {
	if r.IntN(20) == 0 {
		return strings.Repeat("j", 250+r.IntN(10)) // around the 255-byte limit
	}
	var b strings.Builder
	for range 1 + r.IntN(4) {
		b.WriteString(nameParts[r.IntN(len(nameParts))])
	}
	return b.String()
}

func randomPath(r *rand.Rand) string {
	segs := make([]string, 1+r.IntN(3))
	for i := range segs {
		segs[i] = pathParts[r.IntN(len(pathParts))]
	}
	p := strings.Join(segs, "/")
	if r.IntN(10) == 0 || p == "" {
		p = "/" + p // the encoder refuses an empty path, as the decoder does
	}
	return p
}

// propertySeed is BUILDER_WEB_PROPERTY_SEED, or a fixed seed so that a
// failure is reproducible.
func propertySeed(t *testing.T) uint64 {
	if s := os.Getenv("BUILDER_WEB_PROPERTY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BUILDER_WEB_PROPERTY_SEED: %v", err)
		}
		return n
	}
	return 11
}

// Random job names and artifact paths sent through the real upload route
// are answered 201 or 400, never anything else, and the data directory
// verifies clean after each (#11 acceptance). A stored build's pages,
// console and script answer 200.
func TestUploadRandomNames(t *testing.T) {
	const iterations = 300
	seed := propertySeed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	created := 0
	for i := range iterations {
		job := randomJob(r)
		paths := make([]string, r.IntN(4))
		for j := range paths {
			paths[j] = randomPath(r)
		}
		var id [16]byte
		for j := range id {
			id[j] = byte(r.Uint32())
		}
		id[6] = id[6]&0x0f | 0x40
		id[8] = id[8]&0x3f | 0x80
		// Every fourth upload is a bare binary: the job comes from the
		// URL and the path from binary_name.
		bare := i%4 == 3
		var resp apptest.Response
		if bare {
			paths = paths[:0]
			paths = append(paths, randomPath(r))
			resp = env.Upload(t, "/job/"+neturl.PathEscape(job)+"/platform/debian-12/upload?binary_name="+
				neturl.QueryEscape(paths[0]), "up", "up-password", []byte("binary"))
		} else {
			resp = env.Upload(t, "/upload", "up", "up-password", apptest.RecordUUID(t, id, job, paths...))
		}
		what := func() string {
			return "seed " + strconv.FormatUint(seed, 10) + " iteration " + strconv.Itoa(i) +
				": bare " + strconv.FormatBool(bare) + " job " + strconv.Quote(job) + " paths " + strings.Join(quoteAll(paths), ", ")
		}
		switch resp.Status {
		case http.StatusCreated:
			created++
			urls := []string{"/job/" + neturl.PathEscape(job)}
			if !bare {
				base := "/job/" + neturl.PathEscape(job) + "/build/" + builder.UUIDString(id)
				urls = append(urls, base, base+"/console", base+"/script")
			}
			for _, u := range urls {
				if g := env.Get(t, u); g.Status != http.StatusOK {
					t.Errorf("%s: GET %s: status %d (%.200s), want 200", what(), u, g.Status, g.Body)
				}
			}
		case http.StatusBadRequest:
		case http.StatusNotFound:
			// "/job/./platform/…" is normalised to another URL, which no
			// route takes.
			if !bare || (job != "." && job != "..") {
				t.Fatalf("%s: status %d (%s), want 201 or 400", what(), resp.Status, resp.Body)
			}
		default:
			t.Fatalf("%s: status %d (%s), want 201 or 400", what(), resp.Status, resp.Body)
		}
		if left := testenv.Staged(t, env.Dir); len(left) != 0 {
			t.Fatalf("%s: staging not empty: %v", what(), left)
		}
		var findings []string
		if _, err := ops.VerifyDataDir(t.Context(), env.App.DB, env.Dir,
			func(f ops.Finding) { findings = append(findings, f.String()) }, nil); err != nil {
			t.Fatalf("%s: verify-data-dir: %v", what(), err)
		}
		if len(findings) != 0 {
			t.Fatalf("%s: verify-data-dir found:\n%s", what(), strings.Join(findings, "\n"))
		}
	}
	// The generator must reach both answers, or the property says little.
	if created == 0 || created == iterations {
		t.Errorf("%d of %d uploads created, want some of each answer", created, iterations)
	}
	t.Logf("seed %d: %d of %d uploads created", seed, created, iterations)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
