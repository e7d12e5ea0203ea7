package ingest

import (
	"fmt"
	"strings"
)

// ValidateJobName applies product.md §2.12: job names become directory
// names, so nothing that could leave the data directory or collide with
// _artifacts, _staging or _cache is accepted.
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
	}
	return nil
}

// ValidateArtifactPath applies product.md §2.12 to an output file's path:
// relative, '/'-separated, no empty or ".." segment, no NUL.
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
		if seg == "" || seg == ".." {
			return fmt.Errorf("artifact path %q has an empty or '..' segment", p)
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
