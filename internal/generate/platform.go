package generate

import (
	"strconv"
	"strings"
)

// platformSpec is a build platform as orb reports it.
type platformSpec struct {
	name, family        string // family: debian (dpkg), freebsd (pkg), alpine (apk)
	dist, version, osFm string // OS_DISTRIBUTION, OS_VERSION, OS_FAMILY
	os                  string
	pkgs                string
	release             string // replaces "deb12" in the Debian list
}

// platformSpecs starts with the four platforms of the benchmark data set;
// more platforms reuse their family's package list.
var platformSpecs = []platformSpec{
	{"debian-12", "debian", "debian", "12", "debian", "linux", debianPackages, "deb12"},
	{"ubuntu-22.04", "debian", "ubuntu", "22.04", "debian", "linux", ubuntuPackages, ""},
	{"freebsd-14", "freebsd", "freebsd", "1401000", "bsd", "freebsd", freebsdPackages, ""},
	{"alpine-3.20", "alpine", "alpine", "3.20.3", "alpine", "linux", alpinePackages, ""},
	{"debian-11", "debian", "debian", "11", "debian", "linux", debianPackages, "deb11"},
	{"ubuntu-24.04", "debian", "ubuntu", "24.04", "debian", "linux", ubuntuPackages, ""},
	{"freebsd-13", "freebsd", "freebsd", "1304000", "bsd", "freebsd", freebsdPackages, ""},
	{"alpine-3.19", "alpine", "alpine", "3.19.4", "alpine", "linux", alpinePackages, ""},
	{"debian-13", "debian", "debian", "13", "debian", "linux", debianPackages, "deb13"},
	{"ubuntu-20.04", "debian", "ubuntu", "20.04", "debian", "linux", ubuntuPackages, ""},
}

// sysLine is one line of system-packages: pre + (num + updates) + post,
// or just pre when the package never updates.
type sysLine struct {
	pre, post string
	num       int // -1 when the line has no number to bump
	group     int // update group, -1 for a fixed line
	optional  bool
}

// updateGroup is a set of system packages updated together, every period
// rounds; a toggle group instead installs or removes its package.
type updateGroup struct {
	period, phase int
	toggle        bool
}

type platform struct {
	idx  int
	spec platformSpec
	// system-packages
	lines  []sysLine
	groups []updateGroup
	// build-environment changes (worker moved, locale changed) every
	// envPeriod rounds.
	envPeriod, envPhase      int
	envHead, envMid, envTail string
	// what the job script does first: fetch and install orb
	fetch, install, cleanup string
	prelude                 []timedLine
}

// timedLine is a console line at a fixed offset (ms) from the start.
type timedLine struct {
	ms   int64
	text string
}

func (g *Generator) newPlatform(idx int) *platform {
	spec := platformSpecs[idx%len(platformSpecs)]
	if n := idx / len(platformSpecs); n > 0 {
		spec.name += "-" + strconv.Itoa(n+1)
	}
	pl := &platform{idx: idx, spec: spec}
	r := newRng(hash3(uint64(g.o.Seed), 0x706c6174, uint64(idx)))
	pkgs := spec.pkgs
	if spec.release != "" {
		pkgs = strings.ReplaceAll(pkgs, "deb12", spec.release)
	}
	named := map[string]int{}
	newGroup := func(lo, hi int, toggle bool) int {
		per := r.logUniform(lo, hi)
		pl.groups = append(pl.groups, updateGroup{per, r.intn(per), toggle})
		return len(pl.groups) - 1
	}
	for _, l := range strings.Split(pkgs, "\n") {
		sl := sysLine{group: -1, num: -1}
		if strings.HasPrefix(l, "?") {
			// Comes and goes with a group of its own; never bumped.
			sl.optional, l = true, l[1:]
			sl.group = newGroup(60, 300, true)
		}
		open := strings.IndexByte(l, '{')
		if open < 0 {
			sl.pre = l
			pl.lines = append(pl.lines, sl)
			continue
		}
		end := open + strings.IndexByte(l[open:], '}')
		sl.pre, sl.post = l[:open], l[end+1:]
		num, name, _ := strings.Cut(l[open+1:end], ":")
		sl.num, _ = strconv.Atoi(num)
		switch gi, ok := named[name]; {
		case sl.optional:
		case ok && name != "":
			sl.group = gi
		default:
			sl.group = newGroup(80, 800, false)
			if name != "" {
				named[name] = sl.group
			}
		}
		pl.lines = append(pl.lines, sl)
	}
	pl.envPeriod = r.logUniform(150, 900)
	pl.envPhase = r.intn(pl.envPeriod)
	pl.setupEnv()
	pl.setupScript()
	return pl
}

func (pl *platform) setupEnv() {
	s := pl.spec
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	home := "/var/lib/builder"
	if s.family == "freebsd" {
		path = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"
		home = "/home/builder"
	}
	pl.envHead = "HOME=" + home + "\nHOSTNAME=worker-" + s.name
	// orb appends its own keys after the process environment.
	pl.envTail = "USER=builder\nSWITCH_PATH=/tmp/myswitch\nORB_DATA=2\nARCH=x86_64\nOS_FAMILY=" + s.osFm +
		"\nOS_VERSION=" + s.version + "\nOS_DISTRIBUTION=" + s.dist + "\nOS=" + s.os
	pl.envMid = "LOGNAME=builder\nOPAMCONFIRMLEVEL=unsafe-yes\nPATH=" + path + "\nPWD=/tmp/builder."
}

// environment renders build-environment for an epoch: KEY=VALUE lines,
// sorted like `env | sort` with orb's keys last, no trailing newline.
func (pl *platform) environment(epoch int) (text []byte, key uint64) {
	h := hash2(uint64(pl.idx)+0x656e76, uint64(epoch))
	b := make([]byte, 0, 512)
	b = append(b, pl.envHead...)
	if epoch%3 != 0 {
		b = append(b, '-', "abc"[h%3])
	}
	if h>>8&3 != 0 {
		b = append(b, "\nLANG=C.UTF-8"...)
	}
	b = append(b, '\n')
	b = append(b, pl.envMid...)
	b = appendHex(b, h, 6)
	b = append(b, "\nSHELL=/bin/sh\nSHLVL=2"...)
	if h>>10&1 == 1 {
		b = append(b, "\nTZ=UTC"...)
	}
	b = append(b, '\n')
	b = append(b, pl.envTail...)
	return b, h
}

// systemPackages renders system-packages at round b; key is equal exactly
// when the text is.
func (pl *platform) systemPackages(b int) (text []byte, key uint64) {
	key = uint64(pl.idx) + 0x737973
	ks := make([]int, len(pl.groups))
	for i, gr := range pl.groups {
		ks[i] = (b + gr.phase) / gr.period
		if gr.toggle {
			// only presence shows in the text, so only it goes in the key
			ks[i] &= 1
		}
		key = hash2(key, uint64(ks[i]))
	}
	out := make([]byte, 0, 2048)
	for _, l := range pl.lines {
		bumps := 0
		if l.optional {
			if ks[l.group] == 1 {
				continue
			}
		} else if l.group >= 0 {
			bumps = ks[l.group]
		}
		out = append(out, l.pre...)
		if l.num >= 0 {
			out = strconv.AppendInt(out, int64(l.num+bumps), 10)
			out = append(out, l.post...)
		}
		out = append(out, '\n')
	}
	return out, key
}

// setupScript fixes the platform's orb bootstrap commands and the console
// lines they print.
func (pl *platform) setupScript() {
	url := "https://builds.example.org/job/orb/build/latest/main-binary?platform=" + pl.spec.name
	switch pl.spec.family {
	case "freebsd":
		pl.fetch = "fetch -o orb.pkg '" + url + "'"
		pl.install = "pkg add ./orb.pkg"
		pl.cleanup = "rm orb.pkg"
		pl.prelude = []timedLine{
			{9, "+ fetch -o orb.pkg " + url},
			{702, "+ pkg add ./orb.pkg"},
			{1130, "Installing orb-0.4.1..."},
			{2410, "Extracting orb-0.4.1: .......... done"},
			{2502, "+ rm orb.pkg"},
		}
	case "alpine":
		pl.fetch = "wget -O orb.apk '" + url + "'"
		pl.install = "apk add --allow-untrusted ./orb.apk"
		pl.cleanup = "rm orb.apk"
		pl.prelude = []timedLine{
			{7, "+ wget -O orb.apk " + url},
			{95, "Connecting to builds.example.org (203.0.113.17:443)"},
			{611, "saving to 'orb.apk'"},
			{612, "orb.apk              100% |********************************| 4213k  0:00:00 ETA"},
			{613, "'orb.apk' saved"},
			{640, "+ apk add --allow-untrusted ./orb.apk"},
			{1802, "(1/1) Installing orb (0.4.1-r0)"},
			{1904, "OK: 412 MiB in 97 packages"},
			{1910, "+ rm orb.apk"},
		}
	default:
		pl.fetch = "curl -fsSL -o orb.deb '" + url + "'"
		pl.install = "apt-get install -y ./orb.deb"
		pl.cleanup = "rm orb.deb"
		pl.prelude = []timedLine{
			{12, "+ curl -fsSL -o orb.deb " + url},
			{841, "+ apt-get install -y ./orb.deb"},
			{3207, "Reading package lists..."},
			{3402, "Building dependency tree..."},
			{3403, "Reading state information..."},
			{3521, "The following NEW packages will be installed:"},
			{3522, "  orb"},
			{3530, "0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded."},
			{3913, "Setting up orb (0.4.1-1) ..."},
			{4002, "+ rm orb.deb"},
		}
	}
}

// script is the job script builder ran: install orb, build the root.
func (pl *platform) script(j *job) string {
	return "#!/bin/sh\n\nset -ex\n\n# fetch and install the orb build tool for this platform\n" +
		pl.fetch + "\n" + pl.install + "\n" + pl.cleanup + "\n\n" +
		"orb build --disable-sandboxing --solver-timeout=600 --switch-name=/tmp/myswitch \\\n  " +
		orbArgs(j) + "\n"
}

func orbArgs(j *job) string {
	repos := "default:https://opam.ocaml.org"
	if j.spec.unikernel {
		repos += ",unikernels:git+https://git.example.org/robur/unikernel-repo.git"
	}
	return "--date=1589138087 --out=. --repos=" + repos + " " + j.root
}
