package ingest

import (
	"strings"

	"github.com/builder-web/builder-web/app/opam"
)

// Section names of reference §4.4.
const (
	SectionUnikernels       = "Unikernels"
	SectionUnikernelsInflux = "Unikernels (with metrics reported to Influx)"
	SectionPackages         = "Packages"
)

// switchTags infers the job tags section, synopsis and description from
// an opam switch export (reference §4.4). Any parse error, or a switch
// without exactly one root, yields no tags.
func switchTags(data []byte) map[string]string {
	sw, err := opam.ParseSwitch(data)
	if err != nil {
		return nil
	}
	root, err := sw.Root()
	if err != nil {
		return nil
	}
	tags := map[string]string{}
	overlay, hasOverlay := sw.Overlay(root.Name)
	unikernel := strings.HasPrefix(root.Name, "mirage-unikernel-") ||
		(hasOverlay && overlay.HasExtension("x-mirage-opam-lock-location"))
	switch {
	case !unikernel:
		tags["section"] = SectionPackages
	case sw.IsInstalled("metrics-influx") || (hasOverlay && dependsOn(overlay, "mirage-monitoring")):
		tags["section"] = SectionUnikernelsInflux
	default:
		tags["section"] = SectionUnikernels
	}
	if hasOverlay {
		if s := overlay.Synopsis(); s != "" {
			tags["synopsis"] = s
		}
		if d := overlay.Description(); d != "" {
			tags["description"] = d
		}
	}
	return tags
}

func dependsOn(f *opam.File, name string) bool {
	for _, d := range f.Depends() {
		if d == name {
			return true
		}
	}
	return false
}
