// Package server wires builder-web together: configuration, the database,
// the store, the fiber application and its routes.
package server

import (
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/builder-web/builder-web/app/cli"
)

// Config is the server's configuration (product.md §6.4).
type Config struct {
	Host           string
	Port           int
	DataDir        string
	Database       string // --database: a postgres:// URL; empty for SQLite in DataDir
	Node           string // --node: names DataDir/_staging/<node>/; empty for the host name
	ConfigDir      string
	ExpiredJobs    int   // days; 0 means never
	MaxUploadSize  int64 // bytes
	TrustedProxies []string
	NoMigrate      bool

	// Upload hooks (reference §4.5): how long one run may take before its
	// process group is killed, and how many run at the same time.
	HookTimeout time.Duration // 0 means hooks.DefaultTimeout
	HookWorkers int           // 0 means hooks.DefaultWorkers

	// Connection limits against slow or silent clients; 0 means the
	// default. HeaderTimeout bounds the reading of a request's header,
	// IdleTimeout a keep-alive connection waiting for its next request,
	// and BodyIdleTimeout the time a request body (an upload) may send
	// nothing; an upload's total time is not bounded.
	HeaderTimeout   time.Duration
	IdleTimeout     time.Duration
	BodyIdleTimeout time.Duration

	// BusyTimeout replaces db.DefaultBusyTimeout when positive (tests).
	BusyTimeout time.Duration

	// diffoscope runs (issue 12): how many at a time, how long and how
	// much memory each may take; 0 means the default of app/diffoscope.
	// DiffoscopeProgram replaces "diffoscope" in PATH (tests).
	DiffoscopeWorkers int
	DiffoscopeTimeout time.Duration
	DiffoscopeMemory  int64
	DiffoscopeProgram string

	// PageCacheSize bounds the memory of rendered pages kept for visitors
	// (issue 17), in bytes: 0 means pagecache.DefaultSize, negative off.
	PageCacheSize int64

	// Pull lists the servers whose builds are copied in the background
	// every PullInterval (issue 18; 0 means DefaultPullInterval).
	Pull         []string
	PullInterval time.Duration
}

// Defaults of product.md §6.4.
const (
	DefaultHost          = "0.0.0.0"
	DefaultPort          = 3000
	DefaultDataDir       = cli.DefaultDataDir
	DefaultConfigDir     = "/etc/builder-web"
	DefaultExpiredJobs   = 30
	DefaultMaxUploadSize = 2 << 30

	DefaultHeaderTimeout   = 30 * time.Second
	DefaultIdleTimeout     = 60 * time.Second
	DefaultBodyIdleTimeout = 60 * time.Second
)

// Addr is host:port to listen on.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// HooksDir is where upload hooks live.
func (c Config) HooksDir() string { return filepath.Join(c.ConfigDir, "upload-hooks") }
