package viz

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Prune removes the cached visualizations, in every version directory
// (the reference's too), whose input is no longer stored (exists says
// whether a hex SHA-256 is), and temporary files of interrupted writes
// older than a day. It returns how many visualizations it removed.
func Prune(cacheDir string, exists func(sha string) (bool, error)) (int, error) {
	removed := 0
	for _, kind := range []string{KindDependencies, KindTreemap} {
		versions, err := Versions(cacheDir, kind)
		if err != nil {
			return removed, fmt.Errorf("visualization cache: %w", err)
		}
		for _, v := range versions {
			dir := filepath.Join(cacheDir, fmt.Sprintf("%s_%d", kind, v))
			files, err := os.ReadDir(dir)
			if err != nil {
				return removed, fmt.Errorf("visualization cache: %w", err)
			}
			for _, f := range files {
				name := f.Name()
				if strings.HasPrefix(name, ".") { // a write's temporary file (store.WriteAtomic)
					if info, err := f.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
						_ = os.Remove(filepath.Join(dir, name))
					}
					continue
				}
				sha, ok := strings.CutSuffix(name, ".html")
				if !ok || !hexSHA.MatchString(sha) {
					continue
				}
				ok, err := exists(sha)
				if err != nil {
					return removed, err
				}
				if ok {
					continue
				}
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					return removed, fmt.Errorf("visualization cache: %w", err)
				}
				removed++
			}
		}
	}
	return removed, nil
}
