package generate

import (
	"fmt"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/db"
)

// Seed-mixing tags keep the random streams of one record independent.
const (
	tagRecord = 0x7265636f7264
	tagUUID   = 0x75756964
	tagRound  = 0x726f756e64
	tagFail   = 0x6661696c
	tagBinary = 0x62696e
)

// slotOf maps record i to its round (b) and job×platform pair. Within a
// round the pairs are rotated by a per-round offset so the upload order of
// jobs varies between rounds.
func (g *Generator) slotOf(i int) (b int, j *job, pl *platform, jp int) {
	b = i / g.perRound
	rot := int(hash2(uint64(g.o.Seed)^tagRound, uint64(b)) % uint64(g.perRound))
	jp = (i%g.perRound + rot) % g.perRound
	return b, g.jobs[jp/len(g.plats)], g.plats[jp%len(g.plats)], jp
}

// finishOf is when record i finished: evenly spaced so that index order
// is time order, each moved back by up to half a slot so the spacing
// does not look mechanical; the newest record finishes exactly at End.
func (g *Generator) finishOf(i int) time.Time {
	back := time.Duration(g.count-1-i) * g.slot
	if i != g.count-1 && g.slot >= 2*time.Millisecond {
		back += time.Duration(hash2(uint64(g.o.Seed), uint64(i)) % uint64(g.slot/2))
	}
	return g.end.Add(-back).Truncate(time.Millisecond)
}

// Record returns record i, 0 ≤ i < Count(). File data is freshly
// allocated and owned by the caller.
func (g *Generator) Record(i int) *builder.Exec {
	if i < 0 || i >= g.count {
		panic(fmt.Sprintf("generate: record %d out of range [0, %d)", i, g.count))
	}
	seed := uint64(g.o.Seed)
	b, j, pl, jp := g.slotOf(i)
	r := newRng(hash3(seed, tagRecord, uint64(i)))

	st := g.switchAt(j, b)
	env, envKey := pl.environment((b + pl.envPhase) / pl.envPeriod)
	sys, sysKey := pl.systemPackages(b)
	inputKey := hash3(st.key, envKey, sysKey)

	// Breakage follows the input: a build whose inputs do not compile
	// fails again until an input changes. Kills and download errors are
	// accidents of the moment.
	out := succeeded
	switch {
	case float64(hash2(inputKey, tagFail)>>11)/(1<<53) < j.failRate:
		out = failCompile
	case r.chance(0.015):
		out = killed
	case r.chance(0.005):
		out = failFetch
	}

	var durMs int64
	switch out {
	case killed:
		durMs = int64(r.between(8*60, 30*60)) * 1000
	case failFetch:
		durMs = int64(r.between(60, 180)) * 1000
	default:
		durMs = 60_000 + int64(float64(st.count)*4200*(0.8+0.45*float64(r.intn(1000))/1000))
	}
	durMs = min(max(durMs+int64(r.intn(1000)), 60_000), 30*60_000)
	finish := g.finishOf(i)
	start := finish.Add(-time.Duration(durMs) * time.Millisecond)

	e := &builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: j.name, Script: g.scripts[jp], Platform: pl.spec.name},
		UUID:   uuidOf(seed, i),
		Start:  start,
		Finish: finish,
	}}
	e.Console = g.console(j, pl, &st, r, durMs, out)

	switch out {
	case killed:
		e.Result = builder.Result{Kind: builder.Signalled, Code: -7}
		return e
	case failCompile, failFetch:
		e.Result = builder.Result{Kind: builder.Exited, Code: 1}
		// orb exports what it has before giving up, half of the time.
		if out == failCompile && r.chance(0.5) {
			e.Files = []builder.File{
				{Path: db.OpamSwitch, Data: g.exportSwitch(j, &st)},
				{Path: db.BuildEnvironment, Data: env},
				{Path: db.SystemPackages, Data: sys},
			}
		}
		return e
	}

	binKey := hash2(inputKey, tagBinary)
	if j.nonRepro || r.chance(0.01) {
		binKey = hash2(binKey, uint64(i)+1)
	}
	docDir := "doc/" + j.root + "/"
	installed := []string{j.binPath, docDir + "LICENSE.md", docDir + "CHANGES.md"}
	if j.manPage != "" {
		installed = append(installed, j.manPage)
	}
	e.Files = make([]builder.File, 0, 9)
	e.Files = append(e.Files,
		builder.File{Path: j.binPath, Data: mainBinary(j, pl, binKey)},
		builder.File{Path: j.hashesPath, Data: buildHashes(j, binKey, installed)},
		builder.File{Path: db.OpamSwitch, Data: g.exportSwitch(j, &st)},
		builder.File{Path: db.BuildEnvironment, Data: env},
		builder.File{Path: db.SystemPackages, Data: sys},
		builder.File{Path: docDir + "LICENSE.md", Data: append([]byte(nil), j.license...)},
		builder.File{Path: docDir + "CHANGES.md", Data: changes(j, st.epoch)},
	)
	if j.manPage != "" {
		e.Files = append(e.Files, builder.File{Path: j.manPage, Data: manPage(j, rootVersion(j, st.epoch))})
	}
	if j.readme != nil {
		e.Files = append(e.Files, builder.File{Path: "README.md", Data: append([]byte(nil), j.readme...)})
	}
	return e
}

// uuidOf is a version 4 UUID derived from (seed, i).
func uuidOf(seed uint64, i int) [16]byte {
	var u [16]byte
	a := hash3(seed, tagUUID, uint64(i))
	c := mix64(a ^ golden)
	for k := 0; k < 8; k++ {
		u[k] = byte(a >> (8 * k))
		u[8+k] = byte(c >> (8 * k))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
