// Command builder-web serves the builds of a data directory and accepts
// uploads from builder.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/diffoscope"
	"github.com/builder-web/builder-web/app/hooks"
	"github.com/builder-web/builder-web/app/pagecache"
	"github.com/builder-web/builder-web/app/server"
)

const usage = `Usage: builder-web [flags]

Serves the builds stored in a data directory and accepts uploads at
POST /upload. A missing data directory and database are created and
pending migrations applied at start, unless --no-migrate is given.

Flags:
      --host ADDR            address to listen on (default 0.0.0.0)
  -p, --port N               port (default 3000)
  -d, --datadir DIR          data directory (env BUILDER_WEB_DATADIR, default /var/lib/builder-web)
      --database URL         PostgreSQL database postgres://USER@HOST:PORT/DB (env BUILDER_WEB_DATABASE);
                             default: SQLite in the data directory
      --node NAME            this machine's name among the nodes sharing the data directory (env
                             BUILDER_WEB_NODE, default: the host name); uploads are staged in
                             DIR/_staging/NAME/, and only that is cleaned at start
  -c, --configdir DIR        configuration directory; hooks in DIR/upload-hooks (default /etc/builder-web)
      --expired-jobs DAYS    hide jobs without a successful build in DAYS days from / (default 30, 0 = never)
      --max-upload-size N    largest upload body, with K/M/G suffix (default 2G)
      --trusted-proxy CIDR   believe X-Forwarded-For/-Proto from these proxies (repeatable)
      --no-migrate           do not create the database or apply migrations
      --hook-timeout DUR     kill an upload hook after DUR (default 10m)
      --hook-workers N       upload hooks running at the same time (default 4)
      --diffoscope-workers N diffoscope runs at the same time (default 1)
      --diffoscope-timeout DUR
                             kill a diffoscope run after DUR (default 10m)
      --diffoscope-memory N  address space of one diffoscope run, with K/M/G suffix (default 4G)
      --page-cache-size N    memory for rendered pages of visitors, with K/M/G suffix (default 16M, 0 = off)
      --pull URL             copy the builds of the builder-web at URL in the background, as
                             builder-db pull does (repeatable; uploader pull:HOST)
      --pull-interval DUR    time between two pulls (default 10m)
      --log-level LEVEL      debug, info, warn or error (default info)
      --log-format FORMAT    text or json (default text)
  -h, --help                 show this help
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "builder-web:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	cfg := server.Config{MaxUploadSize: server.DefaultMaxUploadSize}
	fs := flag.NewFlagSet("builder-web", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	fs.StringVar(&cfg.Host, "host", server.DefaultHost, "")
	fs.IntVar(&cfg.Port, "port", server.DefaultPort, "")
	fs.IntVar(&cfg.Port, "p", server.DefaultPort, "")
	dataDir := cli.DataDirDefault(server.DefaultDataDir)
	fs.StringVar(&cfg.DataDir, "datadir", dataDir, "")
	fs.StringVar(&cfg.DataDir, "d", dataDir, "")
	cli.DatabaseVar(fs, &cfg.Database)
	cli.NodeVar(fs, &cfg.Node)
	fs.StringVar(&cfg.ConfigDir, "configdir", server.DefaultConfigDir, "")
	fs.StringVar(&cfg.ConfigDir, "c", server.DefaultConfigDir, "")
	fs.IntVar(&cfg.ExpiredJobs, "expired-jobs", server.DefaultExpiredJobs, "")
	maxUpload := cli.Size(server.DefaultMaxUploadSize)
	fs.Var(&maxUpload, "max-upload-size", "")
	var proxies cli.Strings
	fs.Var(&proxies, "trusted-proxy", "")
	fs.BoolVar(&cfg.NoMigrate, "no-migrate", false, "")
	fs.DurationVar(&cfg.HookTimeout, "hook-timeout", hooks.DefaultTimeout, "")
	fs.IntVar(&cfg.HookWorkers, "hook-workers", hooks.DefaultWorkers, "")
	fs.IntVar(&cfg.DiffoscopeWorkers, "diffoscope-workers", diffoscope.DefaultWorkers, "")
	fs.DurationVar(&cfg.DiffoscopeTimeout, "diffoscope-timeout", diffoscope.DefaultTimeout, "")
	diffMemory := cli.Size(diffoscope.DefaultMemory)
	fs.Var(&diffMemory, "diffoscope-memory", "")
	cfg.PageCacheSize = pagecache.DefaultSize
	fs.Func("page-cache-size", "", func(v string) error {
		if strings.TrimSpace(v) == "0" {
			cfg.PageCacheSize = -1 // off; Config's 0 is the default
			return nil
		}
		n, err := cli.ParseSize(v)
		cfg.PageCacheSize = n
		return err
	})
	var pulls cli.Strings
	fs.Var(&pulls, "pull", "")
	fs.DurationVar(&cfg.PullInterval, "pull-interval", server.DefaultPullInterval, "")
	level := fs.String("log-level", "info", "")
	format := fs.String("log-format", "text", "")
	pos, err := cli.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", pos[0])
	}
	cfg.MaxUploadSize = int64(maxUpload)
	cfg.DiffoscopeMemory = int64(diffMemory)
	cfg.TrustedProxies = proxies
	cfg.Pull = pulls
	if cfg.PullInterval <= 0 {
		return errors.New("--pull-interval must be positive")
	}
	log, err := cli.Logger(os.Stdout, *level, *format)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := server.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if point := os.Getenv("BUILDER_WEB_FAILPOINT"); point != "" {
		// Testing only: die at a named point of an upload's commit.
		log.Warn("failpoint armed", "point", point)
		a.Ingest.Failpoint = func(p string) {
			if p == point {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}

	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", cfg.Addr(), "datadir", cfg.DataDir)
		errc <- a.Fiber.Listen(cfg.Addr())
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	// Uploads in flight and the hooks they start may finish; a stuck one
	// does not hold the process.
	if err := a.Shutdown(server.ShutdownRequests, server.ShutdownHooks); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}
