package generate

// jobSpec describes one kind of job robur builds. Jobs beyond the table
// reuse it with a qualifier ("-staging", ...) so any number of jobs keeps
// realistic names.
type jobSpec struct {
	base      string
	unikernel bool
	targets   []string // unikernels: one job per target ("hvt", "xen")
	root      string   // packages: the root opam package
	exe       string   // packages: the binary installed to bin/
	owner     string
	repo      string
	version   string // packages: "major.minor." prefix of the root's version
	synopsis  string
	desc      string
	deps      []string // pool packages the root depends on directly
	metrics   bool     // unikernel reports to Influx (mirage-monitoring)
	readme    bool
	// naming of unikernel roots: 'p' mirage-unikernel- prefix only, 'l'
	// x-mirage-opam-lock-location only, 'b' both; the section rule of the
	// server must find either.
	naming byte
}

var jobSpecs = []jobSpec{
	{base: "unipi", unikernel: true, targets: []string{"hvt", "xen"}, owner: "robur-coop", repo: "unipi", synopsis: "Serving content from a git repository via HTTP(S)", desc: "A MirageOS unikernel which serves the content of a git repository.\nIt supports HTTP and HTTPS, with certificates from Let's Encrypt.", deps: []string{"git-kv", "paf", "tls-mirage", "letsencrypt-mirage", "magic-mime", "dns-client-mirage", "mirage-kv"}, metrics: true, readme: true, naming: 'b'},
	{base: "tlstunnel", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "tlstunnel", synopsis: "TLS reverse proxy as a MirageOS unikernel", desc: "Terminates TLS connections and forwards the plaintext to a backend.", deps: []string{"tls-mirage", "x509", "dns-certify", "mirage-block-solo5", "oneffs"}, metrics: true, readme: true, naming: 'l'},
	{base: "dns-primary-git", unikernel: true, targets: []string{"hvt", "xen"}, owner: "robur-coop", repo: "dns-primary-git", synopsis: "Primary authoritative DNS server with zone files from git", deps: []string{"dns-server", "dns-mirage", "dns-tsig", "git-kv"}, naming: 'b'},
	{base: "dns-secondary", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "dns-secondary", synopsis: "Secondary authoritative DNS server", deps: []string{"dns-server", "dns-mirage", "dns-tsig"}, naming: 'p'},
	{base: "dns-letsencrypt-secondary", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "dns-letsencrypt", synopsis: "Let's Encrypt certificate provisioning via DNS", deps: []string{"dns-certify", "letsencrypt-dns", "letsencrypt", "dns-mirage"}, naming: 'b'},
	{base: "dns-resolver", unikernel: true, targets: []string{"hvt", "xen"}, owner: "robur-coop", repo: "dns-resolver", synopsis: "Recursive DNS resolver as a MirageOS unikernel", deps: []string{"dns-resolver", "dnssec"}, metrics: true, naming: 'l'},
	{base: "dnsvizor", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "dnsvizor", synopsis: "DNS resolver and DHCP server in a MirageOS unikernel", desc: "A small network service: stub or recursive DNS resolver, DHCP server,\nand a web interface for monitoring.", deps: []string{"dns-resolver", "charrua", "charrua-server", "dnssec", "paf"}, metrics: true, readme: true, naming: 'b'},
	{base: "caldav", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "caldav", synopsis: "CalDAV server storing calendars in git", deps: []string{"webdav", "git-kv", "tls-mirage", "cohttp-mirage"}, readme: true, naming: 'l'},
	{base: "opam-mirror", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "opam-mirror", synopsis: "Mirror of the opam-repository and its source archives", deps: []string{"git-kv", "tar-mirage", "http-mirage-client", "paf", "mirage-block-partition", "oneffs", "decompress"}, metrics: true, readme: true, naming: 'b'},
	{base: "traceroute", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "traceroute", synopsis: "Traceroute as a unikernel", deps: []string{"tcpip", "ethernet", "mirage-crypto-rng-mirage"}, naming: 'p'},
	{base: "miragevpn-router", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "miragevpn", synopsis: "OpenVPN client routing traffic for a local network", deps: []string{"miragevpn", "mirage-nat"}, naming: 'b'},
	{base: "miragevpn-server", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "miragevpn", synopsis: "OpenVPN-compatible server as a MirageOS unikernel", deps: []string{"miragevpn", "mirage-nat", "mirage-block-solo5"}, naming: 'b'},
	{base: "hello", unikernel: true, targets: []string{"hvt", "xen"}, owner: "mirage", repo: "mirage-skeleton", synopsis: "Hello world MirageOS unikernel", desc: "A tiny unikernel that prints hello four times.", naming: 'b'},
	{base: "pasteur", unikernel: true, targets: []string{"hvt"}, owner: "dinosaure", repo: "pasteur", synopsis: "A pastebin as a MirageOS unikernel", deps: []string{"paf", "multipart_form", "tyxml", "git-kv"}, naming: 'l'},
	{base: "contruno", unikernel: true, targets: []string{"hvt"}, owner: "dinosaure", repo: "contruno", synopsis: "TLS termination proxy with Let's Encrypt certificates", deps: []string{"paf", "git-kv", "letsencrypt-mirage", "tls-mirage"}, naming: 'l'},
	{base: "qubes-firewall", unikernel: true, targets: []string{"xen"}, owner: "mirage", repo: "qubes-mirage-firewall", synopsis: "A Mirage firewall VM for QubesOS", deps: []string{"mirage-qubes", "mirage-qubes-ipv4", "mirage-nat", "vchan", "xenstore"}, readme: true, naming: 'p'},
	{base: "static-website", unikernel: true, targets: []string{"hvt"}, owner: "robur-coop", repo: "static-website", synopsis: "Serve a static website from a tar archive", deps: []string{"tar-mirage", "paf", "tls-mirage"}, naming: 'l'},
	{base: "smtp-relay", unikernel: true, targets: []string{"hvt"}, owner: "mirage", repo: "ptt", synopsis: "SMTP relay with DKIM and SPF verification", deps: []string{"ptt", "dns-client-mirage"}, naming: 'b'},
	{base: "albatross", root: "albatross", exe: "albatrossd", owner: "robur-coop", repo: "albatross", version: "2.3.", synopsis: "Albatross - orchestrate and manage MirageOS unikernels with Solo5", desc: "The goal of albatross is robust deployment of MirageOS unikernels using Solo5.\nResources are managed and accounted per tenant.", deps: []string{"vmm", "cmdliner", "tls-lwt", "x509", "lwt", "metrics-influx", "solo5-elftool"}, readme: true},
	{base: "solo5", root: "solo5-tools", exe: "solo5-hvt", owner: "Solo5", repo: "solo5", version: "0.9.", synopsis: "Solo5 sandboxed execution environment", deps: []string{"conf-pkg-config", "conf-libseccomp"}},
	{base: "builder", root: "builder", exe: "builder-server", owner: "robur-coop", repo: "builder", version: "0.4.", synopsis: "Scheduling and executing shell jobs", deps: []string{"builder-lib", "cmdliner", "lwt", "logs", "fmt", "bos", "duration", "uuidm", "x509", "http-lwt-client"}, readme: true},
	{base: "builder-web", root: "builder-web", exe: "builder-web", owner: "robur-coop", repo: "builder-web", version: "0.2.", synopsis: "Web interface for builder", deps: []string{"dream", "caqti", "caqti-lwt", "caqti-driver-sqlite3", "tyxml", "cmarkit", "opamdiff", "opam-graph", "uri", "ptime", "mirage-crypto-rng-lwt", "bos", "decompress", "tar"}},
	{base: "orb", root: "orb", exe: "orb", owner: "robur-coop", repo: "orb", version: "0.4.", synopsis: "Check opam package reproductions", deps: []string{"orb-lib", "opam-client", "bos", "cmdliner"}},
	{base: "opam-graph", root: "opam-graph", exe: "opam-graph", owner: "robur-coop", repo: "opam-graph", version: "0.1.", synopsis: "Graphing dependencies of opam packages", deps: []string{"opam-format", "opamdiff", "tyxml", "fmt", "cmdliner"}},
	{base: "ocaml-dns", root: "dns-cli", exe: "ozone", owner: "mirage", repo: "ocaml-dns", version: "9.1.", synopsis: "Unix command line utilities using uDNS", deps: []string{"dns", "dns-client-lwt", "dnssec", "dns-server", "dns-tsig", "cmdliner", "logs", "fmt", "bos"}},
	{base: "ocaml-letsencrypt", root: "letsencrypt-app", exe: "oacmel", owner: "robur-coop", repo: "ocaml-letsencrypt", version: "1.0.", synopsis: "ACME implementation in OCaml", deps: []string{"letsencrypt", "letsencrypt-dns", "http-lwt-client", "cmdliner"}},
	{base: "ocaml-solo5-elftool", root: "solo5-elftool", exe: "solo5-elftool", owner: "robur-coop", repo: "ocaml-solo5-elftool", version: "0.4.", synopsis: "OCaml library for reading solo5 manifests", deps: []string{"owee", "cstruct", "fmt", "cmdliner"}},
	{base: "bob", root: "bob", exe: "bob.com", owner: "dinosaure", repo: "bob", version: "0.2.", synopsis: "A peer-to-peer file-transfer tool", deps: []string{"decompress", "digestif", "mirage-crypto", "happy-eyeballs-lwt", "dns-client-lwt", "progress", "tar", "carton", "cmdliner"}, readme: true},
	{base: "hxd", root: "hxd", exe: "hxd.xxd", owner: "dinosaure", repo: "hxd", version: "0.3.", synopsis: "Hexdump in OCaml", deps: []string{"cmdliner", "fmt"}},
	{base: "mirage", root: "mirage", exe: "mirage", owner: "mirage", repo: "mirage", version: "4.8.", synopsis: "The MirageOS library operating system", deps: []string{"ipaddr", "functoria-runtime", "bos", "astring", "logs", "opam-monorepo", "mirage-runtime"}},
	{base: "ocaml-git", root: "git-unix", exe: "ogit-fetch", owner: "mirage", repo: "ocaml-git", version: "3.17.", synopsis: "Git format and protocol in pure OCaml", deps: []string{"git", "awa", "cmdliner", "mtime", "tls-lwt", "git-paf", "happy-eyeballs-lwt", "ca-certs"}},
	{base: "ocaml-x509", root: "x509-tools", exe: "x509-certify", owner: "mirleft", repo: "ocaml-x509", version: "1.0.", synopsis: "Command line tools for X.509 certificates", deps: []string{"x509", "cmdliner", "ptime", "mirage-crypto-rng-lwt", "fmt"}},
}

// qualifiers make further distinct jobs once the table is used up.
var qualifiers = []string{"", "-staging", "-next", "-test", "-lts", "-arm64", "-debug", "-nightly"}

// unikernelDeps are what every MirageOS 4 unikernel links, by target.
var unikernelDeps = map[string][]string{
	"hvt": {"mirage", "mirage-runtime", "functoria-runtime", "ocaml-solo5", "solo5", "mirage-solo5", "mirage-logs", "lwt", "logs", "fmt", "cmdliner", "mirage-crypto-rng-mirage", "mirage-bootvar", "mirage-ptime", "mirage-mtime", "mirage-sleep", "tcpip", "ethernet", "arp", "mirage-net-solo5"},
	"xen": {"mirage", "mirage-runtime", "functoria-runtime", "ocaml-solo5", "solo5", "mirage-xen", "mirage-logs", "lwt", "logs", "fmt", "cmdliner", "mirage-crypto-rng-mirage", "mirage-bootvar", "mirage-ptime", "mirage-mtime", "mirage-sleep", "tcpip", "ethernet", "arp", "mirage-net-xen"},
}

// coreDeps are installed in every switch: the compiler and dune.
var coreDeps = []string{"ocaml", "ocaml-base-compiler", "ocaml-config", "ocaml-options-vanilla", "base-threads", "base-unix", "base-bigarray", "base-domains", "base-nnp", "base-effects", "host-arch-x86_64", "host-system-other", "dune", "ocamlfind"}
