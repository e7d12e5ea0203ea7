package hooks

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"syscall"
	"time"

	"github.com/builder-web/builder-web/app/ingest"
)

// waitDelay bounds how long a finished or killed hook's output pipes may
// stay open (held by a child it left behind) before Wait gives up on them.
const waitDelay = 5 * time.Second

// Output limits: a hook printing megabytes must not flood the log.
const (
	maxLineBytes = 4 << 10
	maxLines     = 1000 // per stream and run
)

// run runs one hook for one build and records the outcome.
func (r *Runner) run(path, name string, args []string, b ingest.Build) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	log := r.log.With("hook", name, "job", b.Job, "uuid", b.UUID)
	start := time.Now()
	r.metrics.HookStarted()
	err := execute(ctx, path, args, log)
	d := time.Since(start)

	var failure string
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.Is(err, exec.ErrWaitDelay):
		// It exited 0 but left a child holding its output open.
		log.Warn("upload hook left a process behind", "err", err)
		err = nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && r.ctx.Err() == nil:
		failure = "timeout"
	case r.ctx.Err() != nil:
		failure = "killed"
	case errors.As(err, &exitErr):
		failure = "exit"
	default:
		failure = "start"
	}
	r.metrics.HookFinished(name, d, failure)
	switch failure {
	case "":
		log.Info("upload hook finished", "duration", d)
	case "timeout":
		log.Error("upload hook killed after timeout", "timeout", r.cfg.Timeout, "err", err)
	case "killed":
		log.Warn("upload hook killed: server stopped", "duration", d, "err", err)
	default:
		log.Error("upload hook failed", "reason", failure, "duration", d, "err", err)
	}
}

// execute runs path with args (no shell), logging its output line by line,
// and kills its whole process group when ctx ends.
func execute(ctx context.Context, path string, args []string, log *slog.Logger) error {
	stdout := &lineLogger{log: log, stream: "stdout"}
	stderr := &lineLogger{log: log, stream: "stderr"}
	defer stdout.flush()
	defer stderr.flush()
	err := command(ctx, path, args, stdout, stderr).Run()
	if errors.Is(err, syscall.ENOEXEC) {
		// A script without a #! line: execvp(3) and the reference's shell
		// would run it with sh, so we do too. The arguments still are
		// separate words, never parsed by a shell.
		err = command(ctx, "/bin/sh", append([]string{path}, args...), stdout, stderr).Run()
	}
	return err
}

func command(ctx context.Context, prog string, args []string, stdout, stderr *lineLogger) *exec.Cmd {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	ownProcessGroup(cmd)
	return cmd
}

// lineLogger logs what a hook writes, one record per line, cutting long
// lines and stopping after maxLines. exec copies each stream from one
// goroutine, so it needs no lock.
type lineLogger struct {
	log     *slog.Logger
	stream  string
	buf     []byte
	cut     bool // the current line was already logged cut; skip to its end
	lines   int
	dropped int
}

func (l *lineLogger) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.buf = append(l.buf, p...)
			if len(l.buf) > maxLineBytes {
				if !l.cut {
					l.emit(string(l.buf[:maxLineBytes]) + " [line cut]")
				}
				l.buf, l.cut = l.buf[:0], true
			}
			break
		}
		l.buf = append(l.buf, p[:i]...)
		p = p[i+1:]
		if !l.cut {
			if len(l.buf) > maxLineBytes {
				l.emit(string(l.buf[:maxLineBytes]) + " [line cut]")
			} else {
				l.emit(string(l.buf))
			}
		}
		l.buf, l.cut = l.buf[:0], false
	}
	return n, nil
}

func (l *lineLogger) emit(line string) {
	if l.lines >= maxLines {
		l.dropped++
		return
	}
	l.lines++
	l.log.Info("upload hook output", "stream", l.stream, "line", line)
}

func (l *lineLogger) flush() {
	if len(l.buf) > 0 && !l.cut {
		l.emit(string(l.buf))
	}
	l.buf = l.buf[:0]
	if l.dropped > 0 {
		l.log.Warn("upload hook output cut", "stream", l.stream, "lines_not_logged", l.dropped)
	}
}
