// Package generate makes realistic builder upload records ("exec"/"full"
// values, see app/builder) for tests, benchmarks and `builder-db
// generate`.
//
// A Generator describes a build farm of Jobs × Platforms, each pair built
// Builds times, Interval apart, the newest build finishing at End. Record
// i is a pure function of (options, i): callers may generate records in
// any order and in parallel, and the same options always give the same
// bytes. Records ordered by index go from the oldest to the newest build,
// interleaving jobs and platforms as a real farm would upload them.
//
// The content imitates what robur's builder and orb produce: opam switch
// exports of 50–300 packages drawn from a fixed pool of real opam package
// names, whose versions drift over time (so consecutive builds often, but
// not always, share an input id), build environments, dpkg/pkg/apk package
// lists, console logs, a small ELF main binary that is identical for
// identical inputs (except for a few non-reproducible builds), and ~5%
// failed builds.
package generate

import (
	"time"

	"github.com/builder-web/builder-web/app/builder"
)

// Options shape the generated farm. Non-positive counts yield no records.
type Options struct {
	Jobs, Platforms, Builds int
	Seed                    int64
	// End is when the newest build finishes; zero means the time New is
	// called. It is truncated to milliseconds, the precision of records.
	End time.Time
	// Interval is the time between two builds of one job on one platform;
	// zero means one hour.
	Interval time.Duration
}

// Generator produces the records of one farm. It is safe for concurrent
// use.
type Generator struct {
	o        Options
	pool     *pool
	jobs     []*job
	plats    []*platform
	scripts  []string // per job×platform
	perRound int      // records per round: one build of every job×platform
	count    int
	end      time.Time
	slot     time.Duration // time between consecutive records
}

// New prepares the per-job and per-platform templates; records are then
// cheap to make.
func New(o Options) *Generator {
	o.Jobs, o.Platforms, o.Builds = max(o.Jobs, 0), max(o.Platforms, 0), max(o.Builds, 0)
	if o.Interval <= 0 {
		o.Interval = time.Hour
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	g := &Generator{o: o, pool: getPool()}
	g.end = o.End.UTC().Truncate(time.Millisecond)
	g.perRound = o.Jobs * o.Platforms
	g.count = g.perRound * o.Builds
	if g.perRound > 0 {
		g.slot = o.Interval / time.Duration(g.perRound)
	}
	inst := baseInstances()
	for i := 0; i < o.Jobs; i++ {
		g.jobs = append(g.jobs, g.newJob(i, inst[i%len(inst)], i/len(inst)))
	}
	for i := 0; i < o.Platforms; i++ {
		g.plats = append(g.plats, g.newPlatform(i))
	}
	for _, j := range g.jobs {
		for _, pl := range g.plats {
			g.scripts = append(g.scripts, pl.script(j))
		}
	}
	return g
}

// Count is the number of records: Jobs × Platforms × Builds.
func (g *Generator) Count() int { return g.count }

// Jobs lists the job names, in job order.
func (g *Generator) Jobs() []string {
	out := make([]string, len(g.jobs))
	for i, j := range g.jobs {
		out[i] = j.name
	}
	return out
}

// Platforms lists the platform names, in platform order.
func (g *Generator) Platforms() []string {
	out := make([]string, len(g.plats))
	for i, pl := range g.plats {
		out[i] = pl.spec.name
	}
	return out
}

// UUID is the UUID of record i, without making the record.
func (g *Generator) UUID(i int) [16]byte { return uuidOf(uint64(g.o.Seed), i) }

// Encode returns record i in the upload format.
func (g *Generator) Encode(i int) ([]byte, error) {
	return builder.Encode(g.Record(i))
}
