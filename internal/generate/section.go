package generate

import (
	"strings"
	"sync"
)

// section is everything a switch export and a console need about one
// package at one version. Sections depend only on (pool package, release),
// never on the seed or the job, so they are rendered once per process and
// shared by every record that installs that release.
type section struct {
	pkg     *poolPkg
	version string
	// key identifies the rendered text; switches hash these to tell
	// identical inputs apart without hashing bytes.
	key       uint64
	text      []byte // `package "name" { ... }` with trailing newline
	installed []byte // `  "name.version"` line of the installed: list
	// duniverse is this package's x-opam-monorepo-duniverse-dirs entry,
	// nil for packages a MirageOS 4 build would not vendor.
	duniverse []byte
	// console lines opam prints for the package.
	planLine, doneLine, fetchLine string
}

var sectionCache sync.Map // uint64(pool idx)<<32 | release -> *section

// sectionFor returns the cached section of release k of pool package idx.
func sectionFor(p *pool, idx, k int) *section {
	key := uint64(idx)<<32 | uint64(uint32(k))
	if s, ok := sectionCache.Load(key); ok {
		return s.(*section)
	}
	s := renderSection(p, p.pkgs[idx], k)
	actual, _ := sectionCache.LoadOrStore(key, s)
	return actual.(*section)
}

// ownerMeta is the boilerplate of the opam files of one GitHub owner.
type ownerMeta struct{ maintainer, authors, license string }

var owners = map[string]ownerMeta{
	"mirage":          {"MirageOS team <mirageos-devel@lists.xenproject.org>", "The MirageOS contributors", "ISC"},
	"mirleft":         {"MirageOS team <mirageos-devel@lists.xenproject.org>", "The mirleft contributors", "BSD-2-Clause"},
	"robur-coop":      {"Robur Team <team@robur.coop>", "Robur Team <team@robur.coop>", "ISC"},
	"roburio":         {"Robur Team <team@robur.coop>", "Robur Team <team@robur.coop>", "ISC"},
	"janestreet":      {"Jane Street developers", "Jane Street Group, LLC", "MIT"},
	"dbuenzli":        {"erratique.ch maintainers <maintainers@erratique.ch>", "The erratique.ch programmers", "ISC"},
	"ocaml":           {"OCaml core developers <caml-devel@inria.fr>", "The OCaml developers", "LGPL-2.1-only WITH OCaml-LGPL-linking-exception"},
	"ocaml-ppx":       {"ocaml-ppx maintainers", "The ocaml-ppx contributors", "MIT"},
	"ocsigen":         {"Ocsigen team <dev@ocsigen.org>", "The Ocsigen team", "MIT"},
	"inhabitedtype":   {"Inhabited Type LLC", "Inhabited Type LLC", "BSD-3-clause"},
	"ocaml-multicore": {"OCaml multicore team", "The ocaml-multicore contributors", "ISC"},
	"ocaml-community": {"OCaml community maintainers", "The OCaml community", "BSD-3-Clause"},
	"ocaml-dune":      {"Dune developers", "The dune contributors", "MIT"},
	"Solo5":           {"Solo5 maintainers", "The Solo5 contributors", "ISC"},
	"tarides":         {"Tarides <contact@tarides.com>", "Tarides", "ISC"},
	"ocurrent":        {"OCurrent maintainers", "The OCurrent contributors", "ISC"},
	"capnproto":       {"Cap'n Proto OCaml maintainers", "The capnp-ocaml contributors", "BSD-2-Clause"},
	"xapi-project":    {"Xapi project maintainers", "The xapi developers", "LGPL-2.1-only WITH OCaml-LGPL-linking-exception"},
	"ocaml-opam":      {"opam team <opam-devel@lists.ocaml.org>", "The opam team", "ISC"},
	"OCamlPro":        {"OCamlPro <contact@ocamlpro.com>", "OCamlPro", "LGPL-2.1-only"},
	"realworldocaml":  {"Real World OCaml maintainers", "The mdx contributors", "ISC"},
}

// metaOf falls back to neutral boilerplate for owners not listed (personal
// accounts among them: no personal addresses in generated data).
func metaOf(owner string) ownerMeta {
	if m, ok := owners[owner]; ok && m.maintainer != "" {
		return m
	}
	return ownerMeta{"opam-repository maintainers", "The " + owner + " developers", "MIT"}
}

// tarball is the archive name dune-release gives a repository.
func tarball(repo string) string { return strings.TrimPrefix(repo, "ocaml-") }

// srcURL and the other URL helpers follow each ecosystem's conventions.
func srcURL(pk *poolPkg, v string) string {
	switch pk.style {
	case styleRelease:
		return "https://github.com/" + pk.owner + "/" + pk.repo + "/releases/download/v" + v + "/" + tarball(pk.repo) + "-" + v + ".tbz"
	case styleTag, styleJane:
		return "https://github.com/" + pk.owner + "/" + pk.repo + "/archive/refs/tags/" + v + ".tar.gz"
	case styleTopkg:
		return "https://erratique.ch/software/" + pk.name + "/releases/" + pk.name + "-" + v + ".tbz"
	case styleCompiler:
		return "https://github.com/ocaml/ocaml/releases/download/" + v + "/ocaml-" + v + ".tar.gz"
	}
	return ""
}

func homepage(pk *poolPkg) string {
	switch pk.style {
	case styleTopkg:
		return "https://erratique.ch/software/" + pk.name
	case styleCompiler, styleBase:
		return "https://ocaml.org"
	case styleConf:
		return "https://github.com/ocaml/opam-repository"
	}
	return "https://github.com/" + pk.owner + "/" + pk.repo
}

func devRepo(pk *poolPkg) string {
	if pk.style == styleTopkg {
		return "git+https://erratique.ch/repos/" + pk.name + ".git"
	}
	return "git+https://github.com/" + pk.owner + "/" + pk.repo + ".git"
}

var (
	ocamlBounds = []string{"4.08.0", "4.08", "4.10.0", "4.13.0", "4.14.0", "5.0"}
	duneBounds  = []string{"2.7", "3.0", "3.4", "3.8", "3.13"}
)

// renderSection writes the overlay opam file the way `opam switch export
// --full` prints it: fields in opam's canonical order, two-space indents,
// long url lines broken after "src:".
func renderSection(p *pool, pk *poolPkg, k int) *section {
	v := pk.versionAt(k)
	h := hash2(strHash(pk.name), strHash(v))
	r := rng{s: h}
	meta := metaOf(pk.owner)

	b := make([]byte, 0, 768)
	b = append(b, "package "...)
	b = appendQuoted(b, pk.name)
	b = append(b, " {\n  opam-version: \"2.0\"\n  version: "...)
	b = appendQuoted(b, v)
	b = append(b, '\n')
	b = appendField(b, "synopsis", pk.synopsis)
	if pk.style != styleBase && pk.style != styleConf && r.chance(0.1) {
		b = append(b, "  description: \"\"\"\n"...)
		b = appendEscaped(b, pk.synopsis)
		b = append(b, ".\n\nPart of the "...)
		b = appendEscaped(b, pk.owner+"/"+pk.repo)
		b = append(b, " project; see the homepage for documentation.\"\"\"\n"...)
	}
	switch pk.style {
	case styleBase, styleConf:
		b = appendField(b, "maintainer", "https://github.com/ocaml/opam-repository/issues")
	default:
		b = appendField(b, "maintainer", meta.maintainer)
		if r.chance(0.2) {
			b = appendField(b, "authors", meta.authors)
		}
		b = appendField(b, "license", meta.license)
	}
	b = appendField(b, "homepage", homepage(pk))
	if pk.repo != "" && r.chance(0.25) {
		b = appendField(b, "bug-reports", "https://github.com/"+pk.owner+"/"+pk.repo+"/issues")
	}
	b = appendDepends(b, p, pk, v, &r)
	if pk.style == styleCompiler {
		b = append(b, "  conflict-class: \"ocaml-core-compiler\"\n  flags: compiler\n"...)
	}
	if pk.style == styleConf {
		b = append(b, "  flags: conf\n"...)
	}
	b = appendBuild(b, pk, &r)
	if pk.repo != "" && r.chance(0.4) {
		b = appendField(b, "dev-repo", devRepo(pk))
	}
	var firstSum []byte
	if src := srcURL(pk, v); src != "" {
		b = append(b, "  url {\n"...)
		if len(src)+11 > 80 {
			b = append(b, "    src:\n      "...)
		} else {
			b = append(b, "    src: "...)
		}
		b = appendQuoted(b, src)
		// Like opam-repository: most releases carry sha256 and sha512,
		// some only sha256, old ones only md5.
		b = append(b, "\n    checksum: "...)
		start := len(b)
		switch x := r.intn(100); {
		case x < 55:
			b = append(b, "[\n      \"sha256="...)
			start = len(b) - len("sha256=")
			b = appendHex(b, hash2(h, 256), 64)
			firstSum = b[start:len(b):len(b)]
			b = append(b, "\"\n      \"sha512="...)
			b = appendHex(b, hash2(h, 512), 128)
			b = append(b, "\"\n    ]\n  }\n"...)
		case x < 85:
			b = append(b, "\"sha256="...)
			b = appendHex(b, hash2(h, 256), 64)
			firstSum = b[start+1 : len(b) : len(b)]
			b = append(b, "\"\n  }\n"...)
		default:
			b = append(b, "\"md5="...)
			b = appendHex(b, hash2(h, 5), 32)
			firstSum = b[start+1 : len(b) : len(b)]
			b = append(b, "\"\n  }\n"...)
		}
	}
	if pk.style == styleRelease && r.chance(0.3) {
		b = append(b, "  x-commit-hash: \""...)
		b = appendHex(b, hash2(h, 1), 40)
		b = append(b, "\"\n"...)
	}
	if pk.style == styleRelease && r.chance(0.3) {
		b = append(b, "  x-maintenance-intent: [\"(latest)\"]\n"...)
	}
	b = append(b, "}\n"...)

	s := &section{pkg: pk, version: v, key: hash2(h, uint64(len(b))), text: b}
	s.installed = append(appendQuoted([]byte("  "), pk.name+"."+v), '\n')
	s.planLine = planLine(pk.name, v)
	s.doneLine = "-> installed " + pk.name + "." + v
	s.fetchLine = "-> retrieved " + pk.name + "." + v + "  (cached)"
	if firstSum != nil && (pk.style == styleRelease || pk.style == styleJane) {
		s.duniverse = duniverseEntry(pk, v, firstSum)
	}
	return s
}

// planLine is opam's "  - install NAME VERSION" with the name padded the
// way opam aligns its action list.
func planLine(name, v string) string {
	b := make([]byte, 0, 48)
	b = append(b, "  - install "...)
	b = append(b, name...)
	for n := len(name); n < 26; n++ {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	b = append(b, v...)
	return string(b)
}

func appendDepends(b []byte, p *pool, pk *poolPkg, v string, r *rng) []byte {
	if len(pk.deps) == 0 && pk.style != styleTopkg {
		return b
	}
	b = append(b, "  depends: [\n"...)
	// Long dependency lists are cut to keep sections compact; the
	// switch still installs the whole closure.
	others := 0
	for _, d := range pk.deps {
		dp := p.pkgs[d]
		if !dp.fixed && dp.style != styleCompiler && dp.name != "ocaml" && dp.name != "dune" {
			if others++; others > 6 {
				continue
			}
		}
		b = append(b, "    "...)
		b = appendQuoted(b, dp.name)
		switch {
		case dp.name == "ocaml":
			if pk.name == "ocaml-base-compiler" {
				break
			}
			b = append(b, " {>= "...)
			b = appendQuoted(b, ocamlBounds[r.intn(len(ocamlBounds))])
			b = append(b, '}')
		case dp.name == "ocaml-base-compiler" && pk.name == "ocaml":
			b = append(b, " {= "...)
			b = appendQuoted(b, v)
			b = append(b, '}')
		case dp.name == "dune":
			b = append(b, " {>= "...)
			b = appendQuoted(b, duneBounds[r.intn(len(duneBounds))])
			b = append(b, '}')
		case dp.name == "ocamlfind" || dp.name == "ocamlbuild" || dp.name == "cppo":
			b = append(b, " {build}"...)
		case dp.name == "topkg":
			b = append(b, " {build & >= \"1.0.3\"}"...)
		case dp.fixed:
		default:
			switch x := r.intn(10); {
			case x < 4:
				b = append(b, " {>= "...)
				b = appendQuoted(b, dp.versions[0])
				b = append(b, '}')
			case x < 5:
				b = append(b, " {>= "...)
				b = appendQuoted(b, dp.versions[0])
				b = append(b, " & < "...)
				b = appendQuoted(b, bump(dp.versions[0], bumpMajor))
				b = append(b, '}')
			}
		}
		b = append(b, '\n')
	}
	if pk.style == styleRelease && r.chance(0.3) {
		b = append(b, "    \"alcotest\" {with-test}\n"...)
	}
	return append(b, "  ]\n"...)
}

func appendBuild(b []byte, pk *poolPkg, r *rng) []byte {
	switch pk.style {
	case styleRelease, styleTag:
		if r.chance(0.3) {
			return append(b, "  build: [\n    [\"dune\" \"subst\"] {dev}\n    [\"dune\" \"build\" \"-p\" name \"-j\" jobs \"@install\" \"@runtest\" {with-test}]\n  ]\n"...)
		}
		return append(b, "  build: [\"dune\" \"build\" \"-p\" name \"-j\" jobs]\n"...)
	case styleJane:
		return append(b, "  build: [\"dune\" \"build\" \"-p\" name \"-j\" jobs]\n"...)
	case styleTopkg:
		return append(b, "  build: [\"ocaml\" \"pkg/pkg.ml\" \"build\" \"--dev-pkg\" \"%{dev}%\"]\n"...)
	case styleCompiler:
		return append(b, "  build: [\n    [\"./configure\" \"--prefix=%{prefix}%\" \"--docdir=%{doc}%/ocaml\" \"-C\"]\n    [make \"-j%{jobs}%\"]\n  ]\n  install: [make \"install\"]\n"...)
	case styleConf:
		lib := strings.TrimPrefix(pk.name, "conf-")
		b = append(b, "  build: [\"pkg-config\" \"--exists\" "...)
		b = appendQuoted(b, lib)
		b = append(b, "]\n  depexts: [\n    [\"lib"...)
		b = appendEscaped(b, lib)
		b = append(b, "-dev\"] {os-family = \"debian\"}\n    ["...)
		b = appendQuoted(b, lib)
		return append(b, "] {os = \"freebsd\"}\n  ]\n"...)
	}
	return b
}

// duniverseEntry is `[ "URL" "DIR" [ "sha256=..." ] ]` as opam-monorepo
// writes it into the root package of a MirageOS 4 unikernel.
func duniverseEntry(pk *poolPkg, v string, sum []byte) []byte {
	b := make([]byte, 0, 200)
	b = append(b, "    [\n      "...)
	b = appendQuoted(b, srcURL(pk, v))
	b = append(b, "\n      "...)
	b = appendQuoted(b, pk.repo)
	b = append(b, "\n      [\""...)
	b = append(b, sum...)
	return append(b, "\"]\n    ]\n"...)
}

// appendField writes `  name: "value"`.
func appendField(b []byte, name, value string) []byte {
	b = append(b, "  "...)
	b = append(b, name...)
	b = append(b, ": "...)
	b = appendQuoted(b, value)
	return append(b, '\n')
}

func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped escapes what opam's lexer treats specially in strings.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return b
}
