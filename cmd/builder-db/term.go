package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/builder-web/builder-web/app/accounts"
)

// isTerminal reports whether v is an *os.File on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readPassword reads a new password from e.stdin. On a terminal it prompts
// on stderr, turns echo off and asks twice; otherwise it reads one line, as
// the reference does. The password rules are checked before it is used.
func (e *env) readPassword() (string, error) {
	if !isTerminal(e.stdin) {
		pw, err := readLine(bufio.NewReader(e.stdin))
		if err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		return pw, accounts.CheckPassword(pw)
	}
	tty := e.stdin.(*os.File)
	r := bufio.NewReader(tty)
	pw, err := promptHidden(tty, r, e.stderr, "Password: ")
	if err != nil {
		return "", err
	}
	if err := accounts.CheckPassword(pw); err != nil {
		return "", err // before asking again
	}
	again, err := promptHidden(tty, r, e.stderr, "Repeat password: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the passwords differ")
	}
	return pw, nil
}

// readLine returns one line without its line ending; a last line without
// a newline counts, an empty input is an error.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err == io.EOF {
		if line == "" {
			return "", errors.New("no input")
		}
		err = nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptHidden prints prompt and reads a line with echo off (x/term). If
// the terminal cannot turn echo off, the line is read with echo on.
func promptHidden(tty *os.File, r *bufio.Reader, out io.Writer, prompt string) (string, error) {
	fmt.Fprint(out, prompt)
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		line, err := readLine(r)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return line, nil
	}
	defer fmt.Fprintln(out)
	// Restore echo if interrupted while typing; the read itself cannot be
	// interrupted, so it runs on its own goroutine.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		l, err := term.ReadPassword(fd)
		done <- result{l, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return "", fmt.Errorf("read password: %w", res.err)
		}
		return strings.TrimRight(string(res.line), "\r\n"), nil
	case <-sig:
		_ = term.Restore(fd, state)
		return "", errors.New("interrupted")
	}
}

// newProgress returns the status line of a long command on w: a bar over
// total steps, or a spinner with a count when total is -1 (not known yet).
// It draws only on a terminal; elsewhere (cron mail, a pipe, a log file) it
// writes nothing at all, so no control characters land in files. Redraws
// are throttled, so callers report every step. Finish clears the line.
func newProgress(w io.Writer, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetVisibility(isTerminal(w)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// progressTo moves p to done of total, taking a total that grew on the way.
func progressTo(p *progressbar.ProgressBar, done, total int) {
	if p.GetMax() != total {
		p.ChangeMax(total)
	}
	_ = p.Set(done) // an error is a failed write to the terminal: nothing to do
}
