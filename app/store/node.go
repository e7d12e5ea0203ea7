package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/builder-web/builder-web/app/builder"
)

// maxNodeName bounds a node name: it is a directory name under _staging/
// and appears in logs; host names fit (RFC 1035 limits a label to 63).
const maxNodeName = 64

// ValidateNode checks a node name (--node), which names the node's
// staging directory _staging/<node>/. Only letters, digits, '.', '_' and
// '-' are accepted, not first '.', '_' or '-', so that it is one harmless
// directory name ("." and ".." included) and never an option; and not a
// UUID, which older versions used for staging directories directly under
// _staging/ and which a SQLite server's start removes (Store.OldLeftovers).
func ValidateNode(name string) error {
	switch {
	case name == "":
		return errors.New("node name is empty")
	case len(name) > maxNodeName:
		return fmt.Errorf("node name is longer than %d bytes", maxNodeName)
	case strings.IndexFunc(name, func(r rune) bool { return !isNodeRune(r) }) >= 0:
		return fmt.Errorf("node name %q may hold only letters, digits, '.', '_' and '-'", name)
	case strings.ContainsRune("._-", rune(name[0])):
		return fmt.Errorf("node name %q starts with %q", name, name[0])
	case isUUID(name):
		return fmt.Errorf("node name %q is a UUID, as older versions named their staging directories", name)
	}
	return nil
}

func isNodeRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

// isUUID reports the textual form of a UUID, as builder records' UUIDs
// are written.
func isUUID(s string) bool {
	_, err := builder.ParseUUID(s)
	return err == nil
}

// DefaultNode is the node name when none is given: the host name, which
// differs between the machines of a cluster, or its first label when the
// whole name is too long for ValidateNode; "localhost" when the system
// does not say.
func DefaultNode() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	if i := strings.IndexByte(h, '.'); i > 0 && ValidateNode(h) != nil {
		return h[:i]
	}
	return h
}

// Node is the name of the node this store stages for.
func (s *Store) Node() string { return s.node }

// stagingDir is this node's _staging/<node>/. It is created when first
// needed, so that tools which never stage (builder-migrations) leave no
// directory of their host behind.
func (s *Store) stagingDir() string { return filepath.Join(s.dir, StagingDir, s.node) }

// inStaging runs create, which makes an entry in stagingDir, creating
// stagingDir first when create fails because it is missing.
func (s *Store) inStaging(create func(dir string) error) error {
	dir := s.stagingDir()
	err := create(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			err = create(dir)
		}
	}
	return err
}

// OldLeftovers lists what versions before node names (issue 16) left
// directly in _staging/: staging directories named by their build's UUID
// and the script-*/console-* spool files of uploads. Node directories are
// neither (ValidateNode refuses UUIDs), and anything else is left alone.
func (s *Store) OldLeftovers() ([]Leftover, error) {
	root := filepath.Join(s.dir, StagingDir)
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list staging: %w", err)
	}
	var out []Leftover
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && isUUID(name):
			out = append(out, readLeftover(filepath.Join(root, name)))
		case e.Type().IsRegular() && (strings.HasPrefix(name, "script-") || strings.HasPrefix(name, "console-")):
			out = append(out, Leftover{Name: name, path: filepath.Join(root, name)})
		}
	}
	return out, nil
}
