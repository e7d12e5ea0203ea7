// Command builder-db is the operator's tool for a builder-web data
// directory: it creates and migrates the database, manages upload accounts
// and their access lists, removes jobs, stores records from disk and
// extracts stored builds as records again (reference §11.2).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	help    string // what it does, and its own flags
	// minArgs and maxArgs bound the number of positional arguments;
	// maxArgs < 0 means any number.
	minArgs, maxArgs int
	// setup declares the command's own flags and returns the function
	// that runs the command once they are parsed.
	setup func(fs *flag.FlagSet) runFunc
}

type runFunc func(ctx context.Context, e *env, args []string) error

// noFlags is the setup of a command without flags of its own.
func noFlags(run runFunc) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc { return run }
}

// commands lists the subcommands in the order help shows them.
var commands []*command

func init() {
	commands = []*command{
		migrateCmd, userAddCmd, userUpdateCmd, userRemoveCmd, userDisableCmd, userListCmd,
		accessAddCmd, accessRemoveCmd, jobRemoveCmd, extractBuildCmd, includeCmd, pullCmd, generateCmd,
		vacuumCmd, verifyDataDirCmd, verifyInputIDCmd, verifyCacheDirCmd, vizCmd,
		keyCmd, verifyAttestationCmd, copyDatabaseCmd,
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a running subcommand gets.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dataDir        string
	database       string // --database; empty for SQLite in dataDir
	node           string // --node; empty for the host name
	log            *slog.Logger
}

// open opens the data directory for a command: it must exist and be
// migrated (datadir.Current).
func (e *env) open(ctx context.Context) (*db.DB, *store.Store, error) {
	data, err := datadir.Open(ctx, e.dataDir, datadir.Options{Database: e.database, Node: e.node})
	if err != nil {
		return nil, nil, err
	}
	return data.DB, data.Store, nil
}

// migrate creates the data directory when missing and migrates it.
func (e *env) migrate(ctx context.Context) (*datadir.Data, error) {
	return datadir.Open(ctx, e.dataDir, datadir.Options{Mode: datadir.Migrated, Database: e.database, Node: e.node})
}

// errHelp ends a command after its help was printed (exit 0).
var errHelp = errors.New("help shown")

// usageError is a mistake on the command line.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg + " (see builder-db help)"
	}
	return fmt.Sprintf("%s: %s (see builder-db %s --help)", e.cmd, e.msg, e.cmd)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	name, rest := splitCommand(args)
	switch name {
	case "":
		if slices.ContainsFunc(args, isHelpFlag) {
			fmt.Fprint(stdout, mainUsage())
			return 0
		}
		fmt.Fprint(stderr, mainUsage())
		return 1
	case "help":
		return help(rest, stdout, stderr)
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "builder-db: %v\n", &usageError{msg: fmt.Sprintf("unknown command %q", name)})
		return 1
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	cmdRun, pos, err := e.parse(c, rest)
	if err == nil {
		err = cmdRun(ctx, e, pos)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	}
	fmt.Fprintf(stderr, "builder-db: %v\n", err)
	return 1
}

// splitCommand finds the subcommand: the first argument that is neither a
// flag nor the value of a common flag, so that `builder-db -d DIR migrate`
// works as well as `builder-db migrate -d DIR`.
func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return "", nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest := append(append([]string{}, args[:i]...), args[i+1:]...)
			return a, rest
		}
		if isHelpFlag(a) {
			return "", nil
		}
		switch strings.TrimLeft(a, "-") {
		case "d", "datadir", "database", "node", "log-level":
			i++ // its value
		}
	}
	return "", nil
}

func isHelpFlag(a string) bool {
	switch a {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// parse parses the common and the command's flags, which may stand before
// or after the positional arguments, and checks the number of the latter.
func (e *env) parse(c *command, args []string) (runFunc, []string, error) {
	fs := flag.NewFlagSet("builder-db "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	def := cli.DataDirDefault(cli.DefaultDataDir)
	fs.StringVar(&e.dataDir, "datadir", def, "")
	fs.StringVar(&e.dataDir, "d", def, "")
	cli.DatabaseVar(fs, &e.database)
	cli.NodeVar(fs, &e.node)
	level := fs.String("log-level", "warn", "")
	verbose := fs.Bool("v", false, "")
	cmdRun := c.setup(fs)
	pos, err := cli.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, commandUsage(c))
		return nil, nil, errHelp
	}
	if err != nil {
		return nil, nil, &usageError{cmd: c.name, msg: err.Error()}
	}
	if *verbose {
		*level = "info"
	}
	e.log, err = cli.Logger(e.stderr, *level, "text")
	if err != nil {
		return nil, nil, &usageError{cmd: c.name, msg: err.Error()}
	}
	switch {
	case len(pos) < c.minArgs:
		return nil, nil, &usageError{cmd: c.name, msg: "missing arguments; usage: builder-db " + c.name + " " + c.args}
	case c.maxArgs >= 0 && len(pos) > c.maxArgs:
		return nil, nil, &usageError{cmd: c.name, msg: fmt.Sprintf("unexpected argument %q", pos[c.maxArgs])}
	}
	return cmdRun, pos, nil
}

func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, mainUsage())
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "builder-db: %v\n", &usageError{msg: fmt.Sprintf("unknown command %q", args[0])})
		return 1
	}
	fmt.Fprint(stdout, commandUsage(c))
	return 0
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString("Usage: builder-db COMMAND [ARGS] [flags]\n\n")
	b.WriteString("Operator tool for a builder-web data directory.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-15s %s\n", "help", "show help for builder-db or one command")
	b.WriteString("\nEvery command takes:\n")
	b.WriteString(commonFlags)
	b.WriteString("\nFlags may stand before or after the arguments. Errors exit with status 1.\n")
	b.WriteString("Run `builder-db help COMMAND` or `builder-db COMMAND --help` for details.\n")
	return b.String()
}

const commonFlags = `  -d, --datadir DIR    data directory (env BUILDER_WEB_DATADIR, default /var/lib/builder-web)
` + cli.DatabaseUsage + cli.NodeUsage + `      --log-level L    debug, info, warn or error (default warn); logs go to stderr
  -v                   same as --log-level info
  -h, --help           show this help
`

func commandUsage(c *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: builder-db %s", c.name)
	if c.args != "" {
		b.WriteString(" " + c.args)
	}
	b.WriteString(" [flags]\n\n")
	b.WriteString(strings.TrimSpace(c.help))
	b.WriteString("\n\nCommon flags:\n")
	b.WriteString(commonFlags)
	return b.String()
}
