// Package diffoscope answers "why do these two binaries differ?" (issue
// 12): it runs Debian's diffoscope on two stored main binaries in the
// background, with a bounded number of runs at once, a time limit and a
// memory limit, and caches the HTML report under
// DATADIR/_cache/diffoscope/<sha-left>-<sha-right>/ for every later pair
// of builds with the same two binaries.
package diffoscope

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of the server flags.
const (
	DefaultWorkers = 1
	DefaultTimeout = 10 * time.Minute
	// DefaultMemory bounds a run's address space: diffoscope on two large
	// binaries can take gigabytes, and the server must survive it.
	DefaultMemory = 4 << 30
)

// MaxQueued bounds the runs waiting for a slot: past it a request is
// refused (ErrBusy) rather than queueing work without end.
const MaxQueued = 16

// ErrBusy says that too many runs are waiting already.
var ErrBusy = errors.New("diffoscope: too many comparisons are waiting")

// Dir is the cache directory under DATADIR/_cache.
const Dir = "diffoscope"

// ReportFile is the report's file name in a pair's cache directory.
const ReportFile = "report.html"

// State is where a pair's comparison stands. The strings are the JSON values.
type State string

// The states.
const (
	Identical   State = "identical"   // same binary: nothing to run
	Unavailable State = "unavailable" // diffoscope is not installed
	Queued      State = "queued"
	Running     State = "running"
	Done        State = "done" // the report exists
	Failed      State = "failed"
	TimedOut    State = "timed-out"
)

// Finished reports whether the state no longer changes by itself.
func (s State) Finished() bool { return s != Queued && s != Running }

// Status is a pair's state, what it took, and why it failed.
type Status struct {
	State   State
	Seconds float64 // running time so far, or of the finished run
	Reason  string  // for Failed and TimedOut
}

// Config sets up a Runner.
type Config struct {
	CacheDir string        // DATADIR/_cache
	Program  string        // default "diffoscope" in PATH
	Workers  int           // runs at the same time (DefaultWorkers)
	Timeout  time.Duration // per run (DefaultTimeout)
	Memory   int64         // bytes of address space per run (DefaultMemory)
}

// Runner runs diffoscope in the background. Safe for concurrent use.
type Runner struct {
	cfg     Config
	program string // resolved path, "" when not installed
	log     *slog.Logger
	slots   chan struct{}

	// ctx ends every run at Close; wg waits for them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	runs   map[string]*run // by pair key, while queued or running, and failures
	// Started counts the runs started, for tests and metrics.
	started int
}

type run struct {
	status Status
	begun  time.Time
}

// New returns a runner. A missing diffoscope is not an error: every
// request is then answered Unavailable.
func New(cfg Config, log *slog.Logger) *Runner {
	if cfg.Program == "" {
		cfg.Program = "diffoscope"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Memory <= 0 {
		cfg.Memory = DefaultMemory
	}
	r := &Runner{cfg: cfg, log: log, slots: make(chan struct{}, cfg.Workers), runs: map[string]*run{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if p, err := exec.LookPath(cfg.Program); err == nil {
		r.program = p
	}
	return r
}

// Available reports whether diffoscope is installed.
func (r *Runner) Available() bool { return r.program != "" }

// Started is how many runs were started.
func (r *Runner) Started() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

func key(left, right string) string { return left + "-" + right }

// ReportPath is where the report of a pair is (or will be) stored.
func (r *Runner) ReportPath(left, right string) string {
	return filepath.Join(r.cfg.CacheDir, Dir, key(left, right), ReportFile)
}

// Status returns a pair's state without starting anything: Done when the
// report is cached, the state of a queued, running or failed run, or ""
// when nothing is known.
func (r *Runner) Status(left, right string) Status {
	if left == right {
		return Status{State: Identical}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked(left, right)
}

func (r *Runner) statusLocked(left, right string) Status {
	if x, ok := r.runs[key(left, right)]; ok {
		s := x.status
		if !s.State.Finished() && !x.begun.IsZero() {
			s.Seconds = time.Since(x.begun).Seconds()
		}
		return s
	}
	if _, err := os.Stat(r.ReportPath(left, right)); err == nil {
		return Status{State: Done}
	}
	return Status{}
}

// Request returns a pair's state and starts a run when none is cached,
// queued or running. A failed or timed-out run is not retried by a
// request: that would let every visitor start a ten-minute run again;
// a restart of the server forgets failures. leftPath and rightPath are
// the two stored files; left and right their hex SHA-256.
func (r *Runner) Request(left, right, leftPath, rightPath string) (Status, error) {
	if !hexSHA.MatchString(left) || !hexSHA.MatchString(right) {
		return Status{}, fmt.Errorf("diffoscope: not a SHA-256: %q, %q", left, right)
	}
	if left == right {
		return Status{State: Identical}, nil
	}
	if !r.Available() {
		return Status{State: Unavailable}, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.statusLocked(left, right); s.State != "" {
		return s, nil
	}
	if r.closed {
		return Status{}, ErrBusy
	}
	queued := 0
	for _, o := range r.runs {
		if o.status.State == Queued {
			queued++
		}
	}
	if queued >= MaxQueued {
		return Status{}, ErrBusy
	}
	x := &run{status: Status{State: Queued}}
	r.runs[key(left, right)] = x
	r.wg.Add(1)
	go r.run(x, left, right, leftPath, rightPath)
	return x.status, nil
}

// Close kills the runs under way (with their process groups), forgets the
// queued ones and waits until all have ended. No run starts after it.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
}

// run waits for a slot, runs diffoscope and stores the report.
func (r *Runner) run(x *run, left, right, leftPath, rightPath string) {
	defer r.wg.Done()
	select {
	case r.slots <- struct{}{}:
	case <-r.ctx.Done():
		r.mu.Lock()
		delete(r.runs, key(left, right))
		r.mu.Unlock()
		return
	}
	defer func() { <-r.slots }()
	r.mu.Lock()
	x.status.State, x.begun = Running, time.Now()
	r.started++
	r.mu.Unlock()

	state, reason := r.execute(left, right, leftPath, rightPath)

	r.mu.Lock()
	defer r.mu.Unlock()
	x.status = Status{State: state, Reason: reason, Seconds: time.Since(x.begun).Seconds()}
	if state == Done {
		delete(r.runs, key(left, right)) // the cached report speaks for it
	}
	if r.log != nil {
		r.log.Info("diffoscope finished", "left", left, "right", right, "state", state,
			"seconds", x.status.Seconds, "reason", reason)
	}
}

// execute runs one comparison into a temporary directory and renames it
// into place, so that a report is either whole or absent, even after a
// crash.
func (r *Runner) execute(left, right, leftPath, rightPath string) (State, string) {
	base := filepath.Join(r.cfg.CacheDir, Dir)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return Failed, fmt.Sprintf("create the cache directory: %v", err)
	}
	tmp, err := os.MkdirTemp(base, ".run-")
	if err != nil {
		return Failed, fmt.Sprintf("create a temporary directory: %v", err)
	}
	defer os.RemoveAll(tmp)

	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	report := filepath.Join(tmp, ReportFile)
	// sh sets the memory limit for diffoscope alone (ulimit -v, in KiB);
	// the arguments stay arguments, never shell text.
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `ulimit -v "$0" && exec "$@"`,
		strconv.FormatInt(r.cfg.Memory/1024, 10),
		r.program, "--no-progress", "--html", report, leftPath, rightPath)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	// A process group of its own, killed whole on timeout: diffoscope
	// starts many helpers (objdump, readelf, …).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stderr tailBuffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return TimedOut, fmt.Sprintf("killed after %s", r.cfg.Timeout)
	}
	if r.ctx.Err() != nil {
		return Failed, "the server stopped during the run"
	}
	// Exit status 1 means "differences found", the expected outcome;
	// 0 means none (diffoscope sees no difference the hashes do).
	var exit *exec.ExitError
	switch {
	case err == nil:
		if _, serr := os.Stat(report); serr != nil {
			if werr := os.WriteFile(report, []byte(noDifferences), 0o644); werr != nil {
				return Failed, fmt.Sprintf("write the report: %v", werr)
			}
		}
	case errors.As(err, &exit) && exit.ExitCode() == 1:
	default:
		reason := strings.TrimSpace(stderr.String())
		if reason == "" {
			reason = err.Error()
		}
		return Failed, reason
	}
	if _, err := os.Stat(report); err != nil {
		return Failed, "diffoscope wrote no report"
	}
	final := filepath.Join(base, key(left, right))
	if err := os.Rename(tmp, final); err != nil && !os.IsExist(err) && !errors.Is(err, syscall.ENOTEMPTY) {
		return Failed, fmt.Sprintf("store the report: %v", err)
	}
	return Done, ""
}

const noDifferences = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>diffoscope</title></head>` +
	`<body><p>diffoscope found no differences between the two files.</p></body></html>`

// tailBuffer keeps the last 4 KiB written to it: enough of diffoscope's
// error output to say why it failed, bounded whatever it prints.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - 4096; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// Prune removes the cached reports of pairs of which a binary is gone
// (exists says whether a hex SHA-256 is still stored), and leftovers of
// interrupted runs. It returns how many reports it removed.
func Prune(cacheDir string, exists func(sha string) (bool, error)) (int, error) {
	base := filepath.Join(cacheDir, Dir)
	entries, err := os.ReadDir(base)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("diffoscope cache: %w", err)
	}
	removed := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".run-") {
			// A run of a previous process; a running one of this process
			// is younger than its timeout, but Prune runs from builder-db,
			// next to the server: leave young ones alone.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				_ = os.RemoveAll(filepath.Join(base, name))
			}
			continue
		}
		left, right, ok := strings.Cut(name, "-")
		if !ok || !hexSHA.MatchString(left) || !hexSHA.MatchString(right) {
			continue
		}
		keep := true
		for _, sha := range []string{left, right} {
			ok, err := exists(sha)
			if err != nil {
				return removed, err
			}
			keep = keep && ok
		}
		if !keep {
			if err := os.RemoveAll(filepath.Join(base, name)); err != nil {
				return removed, fmt.Errorf("diffoscope cache: %w", err)
			}
			removed++
		}
	}
	return removed, nil
}

// OpenReport opens a pair's cached report.
func (r *Runner) OpenReport(left, right string) (*os.File, error) {
	if !hexSHA.MatchString(left) || !hexSHA.MatchString(right) {
		return nil, fmt.Errorf("diffoscope: not a SHA-256: %q, %q", left, right)
	}
	return os.Open(r.ReportPath(left, right))
}
