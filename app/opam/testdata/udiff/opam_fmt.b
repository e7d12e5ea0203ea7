opam-version: "2.0"
version: "0.10.0"
synopsis: "OCaml Format pretty-printer combinators"
maintainer: "example maintainer <maint@example.org>"
license: "ISC"
homepage: "https://example.org/fmt"
depends: [
  "ocaml" {>= "4.08.0"}
  "dune"
]
build: "true"
url {
  src: "https://erratique.ch/software/fmt/releases/fmt-0.10.0.tbz"
  checksum: [
    "sha256=81d805cd57e59d1a75faca7b29dd40dc3cda3312c3a8c3078b521990f530f997"
    "sha512=73d1b93ed04ba89fc94c792bd39ad2f2cb7c0fabe5314e30cfca58bb54df2612de039f295a3aa9b2806d273dfadb4da855e705c43678a61ec10f4dd4ec80dad1"
  ]
}
