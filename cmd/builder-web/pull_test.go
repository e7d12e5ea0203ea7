package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Bad --pull flags stop builder-web before it listens.
func TestPullFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--pull", "http://127.0.0.1:1", "--pull-interval", "0"}, "--pull-interval must be positive"},
		{[]string{"--pull", "ftp://mirror.example.org"}, "want http(s)://host"},
		{[]string{"--pull", "http://user:pw@mirror.example.org"}, "want http(s)://host"},
	} {
		err := run(append(tc.args, "-d", dir, "-c", t.TempDir(), "--host", "127.0.0.1", "-p", "0"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("builder-web %q: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}
