// Package cli holds what the three commands share: flags that may stand
// before or after positional arguments, the data directory default, the
// --database and --node flags, sizes with units, and the logger.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// EnvDataDir names the data directory when no flag does.
const EnvDataDir = "BUILDER_WEB_DATADIR"

// EnvDatabase names the database when no --database flag does.
const EnvDatabase = "BUILDER_WEB_DATABASE"

// DatabaseUsage is the help line of --database, the same in all three
// commands.
const DatabaseUsage = `      --database URL       PostgreSQL database postgres://USER@HOST:PORT/DB (env BUILDER_WEB_DATABASE);
                           default: SQLite in the data directory
`

// DatabaseVar declares --database on fs, defaulting to $BUILDER_WEB_DATABASE.
// Empty means SQLite in the data directory; db.ParseLocation reads the
// value.
func DatabaseVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "database", os.Getenv(EnvDatabase), "")
}

// EnvNode names the node when no --node flag does.
const EnvNode = "BUILDER_WEB_NODE"

// NodeUsage is the help line of builder-db's --node; builder-web's says
// what the server does with it.
const NodeUsage = `      --node NAME          the node this runs on (env BUILDER_WEB_NODE, default: the host
                           name): include, pull and generate stage in DIR/_staging/NAME/,
                           which builder-web --node NAME cleans at its start
`

// NodeVar declares --node on fs, defaulting to $BUILDER_WEB_NODE. Empty
// means the host name (store.DefaultNode); store.ValidateNode checks it
// when the data directory is opened.
func NodeVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "node", os.Getenv(EnvNode), "")
}

// DefaultDataDir is the data directory when neither flag nor environment
// names one (reference §11). It lives here, not in app, so that the
// operator tools do not link the web server.
const DefaultDataDir = "/var/lib/builder-web"

// DataDirDefault is $BUILDER_WEB_DATADIR or the given fallback.
func DataDirDefault(fallback string) string {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d
	}
	return fallback
}

// Parse parses args with fs, letting flags stand after positional
// arguments (as the reference's cmdliner commands allow); "--" ends flags.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// Size is a byte count flag accepting K, M, G and T suffixes (powers of 1024).
type Size int64

func (s *Size) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *Size) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	*s = Size(n)
	return nil
}

// ParseSize reads "2G", "512M", "1048576" and the like.
func ParseSize(v string) (int64, error) {
	t := strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(v)), "B")
	t = strings.TrimSuffix(t, "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q", v)
	}
	return n * mult, nil
}

// Strings is a repeatable string flag.
type Strings []string

func (s *Strings) String() string     { return strings.Join(*s, ",") }
func (s *Strings) Set(v string) error { *s = append(*s, v); return nil }

// Logger returns a slog logger writing to w in "text" or "json" at level.
func Logger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errors.New("log format must be text or json")
}
