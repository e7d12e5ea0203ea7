package db

// The files of a build's input (reference §1): the hashes of the three
// make its input id, the compare page diffs them, attestations name them as
// the build's resolved dependencies, and they are served as text.
const (
	OpamSwitch       = "opam-switch"
	BuildEnvironment = "build-environment"
	SystemPackages   = "system-packages"
)

// InputFiles lists the input files in the order the input id hashes them.
func InputFiles() []string { return []string{OpamSwitch, BuildEnvironment, SystemPackages} }
