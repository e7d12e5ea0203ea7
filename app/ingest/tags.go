package ingest

import (
	"crypto/sha256"
	"strings"
	"sync"

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

// tagCacheSize bounds the switch exports whose tags are remembered: a few
// hundred jobs' current switches, a few dozen KiB of tags.
const tagCacheSize = 512

// tagCache maps the SHA-256 of a switch export to its tags (switchTags is a
// function of the bytes alone). The zero value is ready; it is emptied
// when full, which keeps it bounded without bookkeeping. The maps it
// hands out are shared: read them, never change them.
type tagCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]map[string]string
}

func (c *tagCache) get(sum []byte) (map[string]string, bool) {
	if len(sum) != sha256.Size {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tags, ok := c.m[[sha256.Size]byte(sum)]
	return tags, ok
}

func (c *tagCache) put(sum []byte, tags map[string]string) {
	if len(sum) != sha256.Size {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tagCacheSize {
		c.m = make(map[[sha256.Size]byte]map[string]string, tagCacheSize)
	}
	c.m[[sha256.Size]byte(sum)] = tags
}
