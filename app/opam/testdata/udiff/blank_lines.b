depends: [
  "a"
  "b"
  "c"
]

build: "x"

