package generate

import (
	"slices"
	"strconv"
	"strings"
)

// member is a pool package in a job's switch with its drift parameters:
// at round b its release is (b+phase)/period. Packages of one release
// group get the same parameters in every job, so an upstream release shows
// up in all switches at the same time, as it would on a real build farm.
type member struct {
	pkg           int
	period, phase int
	// flicker > 0 marks a package the solver only sometimes pulls in: it is
	// present while ((b+fphase)/flicker) is even.
	flicker, fphase int
}

func (m *member) release(b int) int {
	if m.period == 0 {
		return 0
	}
	return (b + m.phase) / m.period
}

func (m *member) present(b int) bool {
	return m.flicker == 0 || ((b+m.fphase)/m.flicker)%2 == 0
}

// job is a job instantiated for one generator: everything about its
// records that does not change from build to build.
type job struct {
	idx       int
	name      string
	spec      *jobSpec
	target    string // unikernels only
	root      string
	lockLoc   string // x-mirage-opam-lock-location value, "" if none
	members   []member
	rootPos   int   // where the root sorts among members
	rootDeps  []int // indices into members, in spec order
	duniverse []int // members vendored by opam-monorepo, one per repository
	// The root is built from git: its commit changes every rootPeriod
	// rounds, which changes the opam-switch (url src) and so the input.
	rootPeriod, rootPhase int
	binPath               string
	binSize               int
	nonRepro              bool    // builds embed something volatile
	failRate              float64 // share of inputs whose build breaks
	hashesPath            string
	license               []byte
	readme                []byte
	manPage               string // packages: share/man/man1/<exe>.1
}

// jobInstance is a (spec, target) pair before naming.
type jobInstance struct {
	spec   *jobSpec
	target string
}

// baseInstances interleaves unikernels and packages so that any prefix of
// the job list has both kinds.
func baseInstances() []jobInstance {
	var uni, pkg []jobInstance
	for i := range jobSpecs {
		s := &jobSpecs[i]
		if s.unikernel {
			for _, t := range s.targets {
				uni = append(uni, jobInstance{s, t})
			}
		} else {
			pkg = append(pkg, jobInstance{s, ""})
		}
	}
	out := make([]jobInstance, 0, len(uni)+len(pkg))
	u, p := 0, 0
	for u < len(uni) || p < len(pkg) {
		if p >= len(pkg) || u < len(uni) && u*len(pkg) <= p*len(uni) {
			out = append(out, uni[u])
			u++
		} else {
			out = append(out, pkg[p])
			p++
		}
	}
	return out
}

func jobName(in jobInstance, round int) string {
	q := ""
	if round < len(qualifiers) {
		q = qualifiers[round]
	} else {
		q = "-" + strconv.Itoa(round)
	}
	if in.spec.unikernel {
		return in.spec.base + q + "-" + in.target
	}
	return in.spec.base + q
}

// newJob picks the job's package set: the compiler, the root's direct
// dependencies and their closure, then random further packages (with
// their closures) until the switch reaches a size drawn from 50–300.
func (g *Generator) newJob(idx int, in jobInstance, round int) *job {
	p := g.pool
	s := in.spec
	r := newRng(hash3(uint64(g.o.Seed), 0x6a6f62, uint64(idx)))
	j := &job{idx: idx, name: jobName(in, round), spec: s, target: in.target}

	if s.unikernel {
		short := s.base + "-" + in.target
		j.root = "mirage-unikernel-" + short
		if s.naming == 'l' {
			j.root = short
		}
		if s.naming != 'p' {
			j.lockLoc = "mirage/" + short + ".opam.locked"
		}
		j.binPath = "bin/" + s.base + "." + in.target
		j.binSize = r.between(8<<10, 64<<10)
	} else {
		j.root = s.root
		j.binPath = "bin/" + s.exe
		j.binSize = r.between(1<<10, 32<<10)
		j.manPage = "share/man/man1/" + s.exe + ".1"
	}
	j.hashesPath = j.root + ".build-hashes"
	j.nonRepro = r.chance(0.06)
	j.failRate = 0.015 + 0.03*float64(r.intn(3))/2 // 1.5%, 3% or 4.5%
	j.rootPeriod = r.logUniform(20, 250)
	j.rootPhase = r.intn(j.rootPeriod)

	set := map[int]bool{}
	for _, n := range coreDeps {
		p.closure(p.byName[n], set)
	}
	var direct []string
	if s.unikernel {
		direct = append(direct, unikernelDeps[in.target]...)
	}
	direct = append(direct, s.deps...)
	if s.metrics {
		direct = append(direct, "mirage-monitoring")
	}
	var directIdx []int
	for _, n := range direct {
		if i, ok := p.byName[n]; ok && !slices.Contains(directIdx, i) {
			directIdx = append(directIdx, i)
			p.closure(i, set)
		}
	}
	lo, hi := 50, 160
	if s.unikernel {
		lo, hi = 70, 200
	}
	target := max(r.between(lo, hi), len(set))
	for _, c := range r.perm(len(p.pkgs)) {
		if len(set) >= target-1 {
			break
		}
		if !set[c] && p.closureSize(c, set) <= target-len(set) {
			p.closure(c, set)
		}
	}
	rootPool, rootInPool := p.byName[j.root]
	if rootInPool {
		delete(set, rootPool)
	}
	// A couple of packages the solver picks only sometimes: their
	// dependencies are all present already, so they come and go alone.
	var flicker []int
	for _, c := range r.perm(len(p.pkgs)) {
		if len(flicker) == 2 || len(set)+len(flicker)+1 >= 299 {
			break
		}
		if !set[c] && (!rootInPool || c != rootPool) && p.closureSize(c, set) == 1 {
			flicker = append(flicker, c)
		}
	}

	for i := range set {
		j.members = append(j.members, g.memberOf(i))
	}
	for _, i := range flicker {
		m := g.memberOf(i)
		m.flicker = r.logUniform(20, 200)
		m.fphase = r.intn(m.flicker)
		j.members = append(j.members, m)
	}
	slices.SortFunc(j.members, func(a, b member) int {
		return strings.Compare(p.pkgs[a.pkg].name, p.pkgs[b.pkg].name)
	})
	j.rootPos, _ = slices.BinarySearchFunc(j.members, j.root, func(m member, name string) int {
		return strings.Compare(p.pkgs[m.pkg].name, name)
	})
	pos := map[int]int{}
	for mi, m := range j.members {
		pos[m.pkg] = mi
	}
	for _, i := range directIdx {
		if mi, ok := pos[i]; ok {
			j.rootDeps = append(j.rootDeps, mi)
		}
	}
	if j.lockLoc != "" {
		j.duniverse = vendored(p, j.members)
	}
	j.license = licenseText(s)
	if s.readme {
		j.readme = readmeText(j)
	}
	return j
}

// vendored picks, per repository, the first dune-built member: the
// directories opam-monorepo would put in the unikernel's duniverse.
func vendored(p *pool, members []member) []int {
	seen := map[string]bool{}
	var out []int
	for mi, m := range members {
		pk := p.pkgs[m.pkg]
		if m.flicker != 0 || (pk.style != styleRelease && pk.style != styleJane) || seen[pk.repo] {
			continue
		}
		seen[pk.repo] = true
		out = append(out, mi)
	}
	slices.SortStableFunc(out, func(a, b int) int {
		return strings.Compare(p.pkgs[members[a].pkg].repo, p.pkgs[members[b].pkg].repo)
	})
	if len(out) > 40 {
		out = out[:40]
	}
	return out
}

// memberOf gives a pool package the drift parameters of its release group.
func (g *Generator) memberOf(i int) member {
	pk := g.pool.pkgs[i]
	m := member{pkg: i}
	if pk.fixed {
		return m
	}
	r := newRng(hash2(uint64(g.o.Seed), strHash(pk.group)))
	if len(pk.versions) > 1 {
		m.period = r.logUniform(300, 1500)
	} else {
		m.period = r.logUniform(400, 8000)
	}
	m.phase = r.intn(m.period)
	return m
}

// perm is a Fisher–Yates permutation of [0, n).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		k := r.intn(i + 1)
		p[i], p[k] = p[k], p[i]
	}
	return p
}
