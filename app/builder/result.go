package builder

import (
	"fmt"
	"strconv"
)

func (k ResultKind) String() string {
	switch k {
	case Exited:
		return "exited"
	case Signalled:
		return "signalled"
	case Stopped:
		return "stopped"
	case Msg:
		return "msg"
	}
	return "ResultKind(" + strconv.Itoa(int(k)) + ")"
}

// msgCode is the database code of an aborted build; its text is stored
// next to it.
const msgCode = 65536

// PackResult encodes a result for the database as the reference does:
// exited n → n, signalled n → n<<8, stopped n → n<<16, msg → 65536 + text.
func PackResult(r Result) (code int64, msg *string) {
	switch r.Kind {
	case Signalled:
		return r.Code << 8, nil
	case Stopped:
		return r.Code << 16, nil
	case Msg:
		m := r.Msg
		return msgCode, &m
	}
	return r.Code, nil
}

// UnpackResult decodes a database result. Unlike the reference, 65536 with
// a message is checked first (the reference's range tests make it
// "stopped 1"), and negative codes, which come from OCaml's negative signal
// numbers, are recognised as shifted signals instead of "exited -1792"
// (product.md §2.4, §2.16).
func UnpackResult(code int64, msg *string) Result {
	switch {
	case code == msgCode && msg != nil:
		return Result{Kind: Msg, Msg: *msg}
	case code < 0 && code%65536 == 0:
		return Result{Kind: Stopped, Code: code >> 16}
	case code < 0 && code%256 == 0:
		return Result{Kind: Signalled, Code: code >> 8}
	case code <= 0xFF:
		return Result{Kind: Exited, Code: code}
	case code <= 0xFFFF:
		return Result{Kind: Signalled, Code: code >> 8}
	case code <= 0xFFFFFF:
		return Result{Kind: Stopped, Code: code >> 16}
	}
	// The reference fails on such a row; showing it beats failing the page.
	return Result{Kind: Msg, Msg: fmt.Sprintf("invalid result code %d", code)}
}

// ocamlSignals names OCaml's Sys signal numbers (-1 … -28), the numbers
// builder reports for the well-known signals.
var ocamlSignals = [...]string{
	"SIGABRT", "SIGALRM", "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGKILL",
	"SIGPIPE", "SIGQUIT", "SIGSEGV", "SIGTERM", "SIGUSR1", "SIGUSR2",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
	"SIGVTALRM", "SIGPROF", "SIGBUS", "SIGPOLL", "SIGSYS", "SIGTRAP",
	"SIGURG", "SIGXCPU", "SIGXFSZ",
}

// posixSignals names Linux signal numbers 1 … 31, which old builders and
// signals unknown to OCaml report as positive numbers.
var posixSignals = [...]string{
	"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE",
	"SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
	"SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
	"SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
}

// signalText shows a signal number with its name: "SIGKILL (-7)" for OCaml
// numbers, "15 (SIGTERM)" for POSIX ones, the bare number otherwise.
func signalText(n int64) string {
	switch {
	case n < 0 && -n <= int64(len(ocamlSignals)):
		return fmt.Sprintf("%s (%d)", ocamlSignals[-n-1], n)
	case n > 0 && n <= int64(len(posixSignals)):
		return fmt.Sprintf("%d (%s)", n, posixSignals[n-1])
	}
	return strconv.FormatInt(n, 10)
}

// String is the text pages show, e.g. "exited 0", "signalled SIGKILL (-7)",
// "execution aborted: path already existed".
func (r Result) String() string {
	switch r.Kind {
	case Exited:
		return "exited " + strconv.FormatInt(r.Code, 10)
	case Signalled:
		return "signalled " + signalText(r.Code)
	case Stopped:
		return "stopped " + signalText(r.Code)
	case Msg:
		return "execution aborted: " + r.Msg
	}
	return fmt.Sprintf("unknown result %d/%d", r.Kind, r.Code)
}
