package generate

import (
	"strconv"

	"github.com/builder-web/builder-web/app/builder"
)

// outcome is how a generated build ends.
type outcome int

const (
	succeeded   outcome = iota
	failCompile         // exit 1: a package does not compile with this input
	failFetch           // exit 1: a source download failed
	killed              // signalled -7 (SIGKILL): timeout or out of memory
)

const (
	processingLine = "<><> Processing actions <><><><><><><><><><><><><><><><><><><><><><><><><><><><><>"
	errorReport    = "<><> Error report <><><><><><><><><><><><><><><><><><><><><><><><><><><><><><><>"
	errorBanner    = " =================================#"
)

// consoleBuilder collects chronological lines; deltas are milliseconds
// turned into nanoseconds the way builder computes them through a float,
// which often leaves them 1 ns short.
type consoleBuilder struct {
	lines []builder.ConsoleLine
	last  int64
	r     *rng
}

func (c *consoleBuilder) add(ms int64, text string) {
	d := ms * 1e6
	if c.r.next()&3 == 0 && d > 0 {
		d--
	}
	// Lines are added in order; never let rounding or a crowded
	// schedule make time run backwards.
	d = max(d, c.last)
	c.last = d
	c.lines = append(c.lines, builder.ConsoleLine{Delta: d, Data: text})
}

// console makes 20–200 lines of orb/opam output ending by durMs, newest
// first as builder stores them.
func (g *Generator) console(j *job, pl *platform, st *switchState, r *rng, durMs int64, out outcome) []builder.ConsoleLine {
	total := r.between(20, 200)
	c := consoleBuilder{lines: make([]builder.ConsoleLine, 0, total+16), r: r}
	var t int64
	for _, l := range pl.prelude {
		t = l.ms + int64(r.intn(40))
		c.add(t, l.text)
	}
	t += 1
	c.add(t, orbLine(j))
	t += 4000 + int64(r.intn(3000))
	c.add(t, "[NOTE] Switch /tmp/myswitch created")
	t += 15000 + int64(r.intn(10000))
	c.add(t, "The following actions will be performed:")
	c.add(t+1, "=== install "+strconv.Itoa(st.count)+" packages")
	t += 2

	// Package lines share what is left of the budget: the plan first,
	// then the "installed" lines of the packages built last (the first
	// two also show their download).
	tail := 0
	switch out {
	case succeeded:
		tail = 3
	case failCompile:
		tail = 12
	case failFetch:
		tail = 6
	}
	budget := max(total-len(c.lines)-1-tail-2, 2)
	present := make([]*section, 0, len(st.secs))
	for _, s := range st.secs {
		if s != nil {
			present = append(present, s)
		}
	}
	plan := min(len(present), budget/2)
	done := min(len(present), budget-plan)
	for _, s := range present[:plan] {
		c.add(t, s.planLine)
	}
	c.add(t+1, processingLine)
	t += 2

	end := durMs - 3500 // the last seconds are for "Done." or the error
	stopAt := done
	switch out {
	case killed:
		stopAt = r.intn(done + 1)
	case failFetch:
		stopAt = min(done, r.intn(3))
	}
	// A log cut short still has its 20 lines.
	stopAt = max(stopAt, min(done, 20-len(c.lines)-tail))
	span := max(end-t, int64(done+1))
	for k, s := range present[len(present)-done:][:stopAt] {
		step := span / int64(done+1)
		at := t + step*int64(k+1) + int64(r.intn(int(step/2+1))) - step/4
		if k < 2 {
			c.add(at-1, s.fetchLine)
		}
		c.add(at, s.doneLine)
	}
	switch out {
	case succeeded:
		c.add(durMs-2200, "Done.")
		c.add(durMs-800, "[orb] exporting switch to ./opam-switch")
		c.add(durMs-300, "[orb] removing switch /tmp/myswitch")
	case failCompile:
		g.compileError(&c, j, pl, st, r, durMs)
	case failFetch:
		s := present[r.intn(len(present))]
		c.add(durMs-1500, "[ERROR] Failed to get sources of "+s.pkg.name+"."+s.version+": curl error code 504")
		c.add(durMs-1400, errorReport)
		c.add(durMs-1300, "+- The following actions failed")
		c.add(durMs-1299, "| - fetch "+s.pkg.name+" "+s.version)
		c.add(durMs-1298, "+- ")
		c.add(durMs-200, "[orb] build failed, exit code 1")
	case killed:
		// the worker was killed: the log just stops
	}
	// builder keeps the newest line first.
	l := c.lines
	for a, b := 0, len(l)-1; a < b; a, b = a+1, b-1 {
		l[a], l[b] = l[b], l[a]
	}
	return l
}

func orbLine(j *job) string {
	return "+ orb build --disable-sandboxing --solver-timeout=600 --switch-name=/tmp/myswitch " + orbArgs(j)
}

var compileErrors = []string{
	"Error: Unbound module Ipaddr",
	"Error: Unbound value Cstruct.to_string",
	"Error: This expression has type string but an expression was expected of type bytes",
	"Error: The function applied to this argument has type ?off:int -> string -> t",
	"Error: Unbound record field len",
	"Error: This variant expression is expected to have type [ `Msg of string ]",
}

// compileError is opam's error report for the job's own package, which is
// what breaks when an input change is incompatible with its code.
func (g *Generator) compileError(c *consoleBuilder, j *job, pl *platform, st *switchState, r *rng, durMs int64) {
	v := rootVersion(j, st.epoch)
	nv := j.root + "." + v
	compiler := "ocaml-base-compiler"
	for _, s := range st.secs {
		if s != nil && s.pkg.name == "ocaml-base-compiler" {
			compiler += "." + s.version
		}
	}
	at := durMs - 3000
	c.add(at, "#=== ERROR while compiling "+nv+errorBanner)
	b := make([]byte, 0, 120)
	b = append(b, "# context     2.2.1 | "...)
	b = append(b, pl.spec.os...)
	b = append(b, "/x86_64 | "...)
	b = append(b, compiler...)
	b = append(b, " | https://opam.ocaml.org#"...)
	b = appendHex(b, hash2(uint64(st.epoch), 7), 7)
	c.add(at+1, string(b))
	c.add(at+2, "# path        /tmp/myswitch/.opam-switch/build/"+nv)
	c.add(at+3, "# command     /tmp/myswitch/bin/dune build -p "+j.root+" -j 15")
	c.add(at+4, "# exit-code   1")
	c.add(at+5, "File \"src/"+j.spec.base+".ml\", line "+strconv.Itoa(r.between(10, 900))+", characters 6-17:")
	c.add(at+6, compileErrors[r.intn(len(compileErrors))])
	c.add(at+800, errorReport)
	c.add(at+801, "+- The following actions failed")
	c.add(at+802, "| - build "+j.root+" "+v)
	c.add(at+803, "+- ")
	c.add(durMs-200, "[orb] build failed, exit code 1")
}
