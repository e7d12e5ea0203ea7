package generate

import "strconv"

// switchState is a job's opam switch at one round: which release of each
// member is installed, and a key that is equal exactly when the exported
// file is.
type switchState struct {
	secs  []*section // nil where a member is absent this round
	epoch int        // root commit epoch
	key   uint64
	count int // installed packages, root included
}

func (g *Generator) switchAt(j *job, b int) switchState {
	st := switchState{secs: make([]*section, len(j.members))}
	st.epoch = (b + j.rootPhase) / j.rootPeriod
	st.key = hash3(uint64(g.o.Seed), uint64(j.idx), uint64(st.epoch))
	st.count = 1
	for mi := range j.members {
		m := &j.members[mi]
		if !m.present(b) {
			continue
		}
		s := sectionFor(g.pool, m.pkg, m.release(b))
		st.secs[mi] = s
		st.key = hash2(st.key, s.key)
		st.count++
	}
	return st
}

// rootVersion is "dev" for unikernels (built from a git checkout) and a
// release number that moves every few commits for packages.
func rootVersion(j *job, epoch int) string {
	if j.spec.unikernel {
		return "dev"
	}
	return j.spec.version + strconv.Itoa(epoch/4)
}

// commit is the root's git commit id at an epoch.
func appendCommit(dst []byte, j *job, epoch int) []byte {
	return appendHex(dst, hash2(strHash(j.name), uint64(epoch)), 40)
}

// exportSwitch renders `opam switch export --full --freeze`: header,
// installed list and one overlay section per package, all sorted by name.
func (g *Generator) exportSwitch(j *job, st *switchState) []byte {
	size := 256
	for _, s := range st.secs {
		if s != nil {
			size += len(s.text) + len(s.installed)
		}
	}
	root := rootSection(g.pool, j, st)
	rv := rootVersion(j, st.epoch)
	b := make([]byte, 0, size+len(root)+64)
	b = append(b, "opam-version: \"2.0\"\nroots: ["...)
	b = appendQuoted(b, j.root+"."+rv)
	b = append(b, "]\ninstalled: [\n"...)
	for mi, s := range st.secs {
		if mi == j.rootPos {
			b = append(b, "  "...)
			b = appendQuoted(b, j.root+"."+rv)
			b = append(b, '\n')
		}
		if s != nil {
			b = append(b, s.installed...)
		}
	}
	if j.rootPos == len(st.secs) {
		b = append(b, "  "...)
		b = appendQuoted(b, j.root+"."+rv)
		b = append(b, '\n')
	}
	b = append(b, "]\n"...)
	for mi, s := range st.secs {
		if mi == j.rootPos {
			b = append(b, root...)
		}
		if s != nil {
			b = append(b, s.text...)
		}
	}
	if j.rootPos == len(st.secs) {
		b = append(b, root...)
	}
	return b
}

// rootSection is the overlay of the job's own package. Unikernel roots are
// what mirage 4 generates: exact pins of the direct dependencies, the
// lock-file location and the opam-monorepo duniverse; package roots look
// like an ordinary opam file pointing at a git commit.
func rootSection(p *pool, j *job, st *switchState) []byte {
	s := j.spec
	b := make([]byte, 0, 2048+len(j.duniverse)*220)
	b = append(b, "package "...)
	b = appendQuoted(b, j.root)
	b = append(b, " {\n  opam-version: \"2.0\"\n  version: "...)
	b = appendQuoted(b, rootVersion(j, st.epoch))
	b = append(b, '\n')
	b = appendField(b, "synopsis", s.synopsis)
	if s.desc != "" {
		b = append(b, "  description: \"\"\"\n"...)
		b = appendEscaped(b, s.desc)
		b = append(b, "\"\"\"\n"...)
	}
	meta := metaOf(s.owner)
	b = appendField(b, "maintainer", meta.maintainer)
	b = appendField(b, "authors", meta.authors)
	b = appendField(b, "license", meta.license)
	home := "https://github.com/" + s.owner + "/" + s.repo
	b = appendField(b, "homepage", home)
	b = appendField(b, "bug-reports", home+"/issues")
	b = append(b, "  depends: [\n"...)
	if s.unikernel {
		b = append(b, "    \"ocaml\" {build & >= \"4.08.0\"}\n    \"dune\" {build & >= \"3.0\"}\n"...)
	} else {
		b = append(b, "    \"ocaml\" {>= \"4.14.0\"}\n    \"dune\" {>= \"3.0\"}\n"...)
	}
	for _, mi := range j.rootDeps {
		sec := st.secs[mi]
		if sec == nil || sec.pkg.name == "ocaml" || sec.pkg.name == "dune" {
			continue
		}
		b = append(b, "    "...)
		b = appendQuoted(b, sec.pkg.name)
		if s.unikernel {
			b = append(b, " {= "...)
			b = appendQuoted(b, sec.version)
			b = append(b, '}')
		} else if !sec.pkg.fixed {
			b = append(b, " {>= "...)
			b = appendQuoted(b, sec.pkg.versions[0])
			b = append(b, '}')
		}
		b = append(b, '\n')
	}
	b = append(b, "  ]\n"...)
	if s.unikernel {
		b = append(b, "  build: [\"dune\" \"build\" \"-p\" name \"-j\" jobs \"--profile\" \"release\"]\n  install: [\"cp\" "...)
		b = appendQuoted(b, "dist/"+s.base+"."+j.target)
		b = append(b, ' ')
		b = appendQuoted(b, "%{bin}%/"+s.base+"."+j.target)
		b = append(b, "]\n"...)
	} else {
		b = append(b, "  build: [\n    [\"dune\" \"subst\"] {dev}\n    [\"dune\" \"build\" \"-p\" name \"-j\" jobs]\n  ]\n"...)
	}
	b = appendField(b, "dev-repo", "git+"+home+".git")
	b = append(b, "  url {\n    src:\n      \"git+"...)
	b = append(b, home...)
	b = append(b, ".git#"...)
	b = appendCommit(b, j, st.epoch)
	b = append(b, "\"\n  }\n"...)
	if j.lockLoc != "" {
		b = appendField(b, "x-mirage-opam-lock-location", j.lockLoc)
		b = append(b, "  x-mirage-configure: [\"sh\" \"-exc\" \"mirage configure --no-extra-repo --target "...)
		b = append(b, j.target...)
		b = append(b, "\"]\n  x-mirage-pre-build: [make \"lock\" \"depext-lockfile\" \"pull\"]\n  x-mirage-extra-repo: [\n    [\"opam-overlays\" \"https://github.com/dune-universe/opam-overlays.git\"]\n    [\"mirage-overlays\" \"https://github.com/dune-universe/mirage-opam-overlays.git\"]\n  ]\n"...)
		b = append(b, "  x-opam-monorepo-duniverse-dirs: [\n"...)
		for _, mi := range j.duniverse {
			if sec := st.secs[mi]; sec != nil && sec.duniverse != nil {
				b = append(b, sec.duniverse...)
			}
		}
		b = append(b, "  ]\n  x-opam-monorepo-root-packages: ["...)
		b = appendQuoted(b, j.root)
		b = append(b, "]\n  x-opam-monorepo-version: \"0.3\"\n"...)
	}
	return append(b, "}\n"...)
}
