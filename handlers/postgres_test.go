package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
)

// An artifact path that is not valid UTF-8: SQLite stores it as it is;
// PostgreSQL's text columns cannot, and the uploader is told so with a
// 400, leaving nothing behind, instead of a server error.
func TestUploadPathNotUTF8(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "latin1", "bin/caf\xe9"))
	if !pgtest.Enabled() {
		if r.Status != http.StatusCreated {
			t.Errorf("SQLite: status %d (%s), want 201", r.Status, r.Body)
		}
		return
	}
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "not valid UTF-8") {
		t.Errorf("PostgreSQL: status %d (%s), want 400 saying the path is not valid UTF-8", r.Status, r.Body)
	}
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files left after a refused upload: %v", files)
	}
	env.AssertNoBuilds(t)
}
