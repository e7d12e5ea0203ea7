package ingest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/builder-web/builder-web/app/store"
)

// ValidateJobName applies product.md §2.12: job names become directory
// names, so nothing that could leave the data directory or collide with
// _artifacts, _staging, _cache or the database and its -wal, -shm and
// -journal files is accepted. The name must be valid UTF-8 without control
// characters: the database and the file system would otherwise disagree
// on it (SQLite text vs raw bytes), and pages and logs would show garbage.
func ValidateJobName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("job name is empty")
	case len(name) > 255:
		return fmt.Errorf("job name is longer than 255 bytes")
	case name == "." || name == "..":
		return fmt.Errorf("job name %q is not allowed", name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("job name %q contains '/' or NUL", name)
	case strings.HasPrefix(name, "_"):
		return fmt.Errorf("job name %q starts with '_'", name)
	case strings.HasPrefix(name, store.DBFile):
		return fmt.Errorf("job name %q starts with the database's file name %q", name, store.DBFile)
	case !utf8.ValidString(name):
		return fmt.Errorf("job name %q is not valid UTF-8", name)
	case strings.ContainsFunc(name, isControl):
		return fmt.Errorf("job name %q contains a control character", name)
	}
	return nil
}

// isControl reports the C0 controls and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ValidateArtifactPath applies product.md §2.12 to an output file's path:
// relative, '/'-separated, no empty, "." or ".." segment, no NUL. A "."
// segment is refused like "..": tar (all.tar.gz) would otherwise hold a
// member GNU tar cannot extract.
func ValidateArtifactPath(p string) error {
	if p == "" {
		return fmt.Errorf("artifact path is empty")
	}
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("artifact path %q contains NUL", p)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("artifact path %q is absolute", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("artifact path %q has an empty, '.' or '..' segment", p)
		}
	}
	return nil
}

// ValidatePlatform keeps platform names printable; they appear in URLs
// and pages but never in file paths.
func ValidatePlatform(p string) error {
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("platform %q contains NUL", p)
	}
	return nil
}
