opam-version: "2.0"
version: "dev"
synopsis: "Hello world MirageOS unikernel for the hvt target"
description: "A tiny unikernel that prints hello four times."
maintainer: "example maintainer <maint@example.org>"
license: "ISC"
homepage: "https://example.org/mirage-unikernel-hello-hvt"
depends: [
  "ocaml" {>= "4.08.0"}
  "dune" {build}
  "mirage-runtime"
  "fmt"
  "ptime"
  "solo5"
  "duration"
]
build: "true"
install: [
  ["mkdir" "-p" "%{bin}%"]
  ["cp" "README" "%{bin}%/hello.hvt"]
]
url {
  src: "https://git.example.org/unikernels/hello/archive/v1.0.tar.gz"
  checksum: [
    "sha256=601fe559e0cab6131a45531fdbd955b8d8d42faa9dff1c145b56ea1cbe9b9b6e"
    "sha512=e1bf0f0367e4fcb943e1dff5a2aa82435b770090b307015ab6759f828445296b1e56546c506cfa936b95f59e51fe80725c135f30aa87bb822406d3be80eee9de"
  ]
}
x-mirage-opam-lock-location: "mirage/hello-hvt.opam.locked"
