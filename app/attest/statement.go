package attest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/builder-web/builder-web/app/repro"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// URIs of the statements. They name our formats; nothing is served there.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	// ProvenanceType is SLSA Provenance v1 (slsa.dev/spec/v1.0/provenance).
	ProvenanceType = "https://slsa.dev/provenance/v1"
	// BuildType says how to read a provenance's parameters: a builder(1)
	// run of an orb job on a platform, uploaded to builder-web.
	BuildType = "https://github.com/builder-web/builder-web/attestation/build/v1"
	// ReproducibilityType is the predicate of a reproducibility statement.
	ReproducibilityType = "https://github.com/builder-web/builder-web/attestation/reproducibility/v1"
	// builderPrefix + uploader is runDetails.builder.id: the uploading
	// account stands for the build machine.
	builderPrefix = "https://github.com/builder-web/builder-web/attestation/uploader/"
)

// ErrNotAttested means the build is not one statements are made about: it
// failed (no main binary), or for a reproducibility statement nothing else
// reproduced it.
var ErrNotAttested = errors.New("not attested")

// Statement is an in-toto Statement v1. Struct fields, not maps, fix the
// order of the JSON, so that the same build always gives the same bytes.
type Statement[P any] struct {
	Type          string     `json:"_type"`
	Subject       []Resource `json:"subject"`
	PredicateType string     `json:"predicateType"`
	Predicate     P          `json:"predicate"`
}

// Resource is an in-toto ResourceDescriptor with the fields we use.
type Resource struct {
	Name   string `json:"name"`
	Digest Digest `json:"digest"`
}

// Digest is a DigestSet with the one algorithm we store.
type Digest struct {
	SHA256 string `json:"sha256"`
}

// Provenance is the SLSA Provenance v1 predicate.
type Provenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition says what was built from what.
type BuildDefinition struct {
	BuildType            string             `json:"buildType"`
	ExternalParameters   ExternalParameters `json:"externalParameters"`
	InternalParameters   InternalParameters `json:"internalParameters"`
	ResolvedDependencies []Resource         `json:"resolvedDependencies"`
}

// ExternalParameters are what the build was asked to do.
type ExternalParameters struct {
	Job      string `json:"job"`
	Platform string `json:"platform"`
}

// InternalParameters are what builder-web recorded about the build.
type InternalParameters struct {
	Uploader string `json:"uploader"`
	// InputID is the hex input id (reference §1); empty when an input file
	// is missing.
	InputID string `json:"inputId,omitempty"`
}

// RunDetails says who ran the build and when.
type RunDetails struct {
	Builder  Builder  `json:"builder"`
	Metadata Metadata `json:"metadata"`
}

// Builder is the build machine, named by its uploading account.
type Builder struct {
	ID string `json:"id"`
}

// Metadata is the build's UUID and times (RFC 3339, UTC).
type Metadata struct {
	InvocationID string `json:"invocationId"`
	StartedOn    string `json:"startedOn"`
	FinishedOn   string `json:"finishedOn"`
}

// Reproducibility is the predicate of a reproducibility statement: the
// builds of the same job, platform and input id whose main binary is the
// subject, the attested build among them.
type Reproducibility struct {
	Job      string       `json:"job"`
	Platform string       `json:"platform"`
	InputID  string       `json:"inputId"`
	Builds   []ReproBuild `json:"builds"`
}

// ReproBuild is one build that produced the binary.
type ReproBuild struct {
	UUID      string `json:"uuid"`
	Uploader  string `json:"uploader"`
	StartedOn string `json:"startedOn"`
}

func timeString(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func hexDigest(sha []byte) Digest { return Digest{SHA256: hex.EncodeToString(sha)} }

// ProvenanceOf is the provenance statement of a successful build: its
// artifacts as subjects (sorted by name), its job, platform, uploader,
// times and input id, and the input files and script as resolved
// dependencies. The script's hash is read from the store.
func ProvenanceOf(ctx context.Context, d *db.DB, st *store.Store, b *db.BuildInfo) (*Statement[Provenance], error) {
	if b.Main == nil {
		return nil, fmt.Errorf("build %s failed: %w", b.UUID, ErrNotAttested)
	}
	arts, err := d.Artifacts(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", b.UUID, err)
	}
	s := &Statement[Provenance]{Type: StatementType, PredicateType: ProvenanceType,
		Subject: make([]Resource, 0, len(arts))}
	byName := map[string]Digest{}
	for _, a := range arts {
		s.Subject = append(s.Subject, Resource{Name: a.Filepath, Digest: hexDigest(a.SHA256)})
		byName[a.Filepath] = hexDigest(a.SHA256)
	}
	slices.SortFunc(s.Subject, func(x, y Resource) int { return cmp.Compare(x.Name, y.Name) })
	var deps []Resource
	// The input files (in the input id's order) and the script are the
	// build's resolved dependencies.
	for _, name := range db.InputFiles() {
		if dg, ok := byName[name]; ok {
			deps = append(deps, Resource{Name: name, Digest: dg})
		}
	}
	script, err := fileSHA256(st, b.Script)
	if err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", b.UUID, err)
	}
	deps = append(deps, Resource{Name: "script", Digest: Digest{SHA256: script}})
	s.Predicate = Provenance{
		BuildDefinition: BuildDefinition{
			BuildType:            BuildType,
			ExternalParameters:   ExternalParameters{Job: b.JobName, Platform: b.Platform},
			InternalParameters:   InternalParameters{Uploader: b.Username, InputID: hex.EncodeToString(b.InputID)},
			ResolvedDependencies: deps,
		},
		RunDetails: RunDetails{
			Builder: Builder{ID: builderPrefix + url.PathEscape(b.Username)},
			Metadata: Metadata{InvocationID: b.UUID,
				StartedOn: timeString(b.Start()), FinishedOn: timeString(b.Finish())},
		},
	}
	return s, nil
}

// fileSHA256 hashes a file of the data directory, streaming.
func fileSHA256(st *store.Store, rel string) (string, error) {
	f, err := st.Open(rel)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", rel, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", rel, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ReproducibilityOf is the statement that b's main binary was built again
// from the same input: its subject is the main binary, its builds are b
// and the builds of its standing's ReproducedBy (app/repro owns what counts
// as reproduced), oldest first. ErrNotAttested when there are none.
func ReproducibilityOf(b *db.BuildInfo, s repro.Standing) (*Statement[Reproducibility], error) {
	if b.Main == nil || len(b.InputID) == 0 || len(s.ReproducedBy) == 0 {
		return nil, fmt.Errorf("build %s not reproduced: %w", b.UUID, ErrNotAttested)
	}
	builds := []ReproBuild{{UUID: b.UUID, Uploader: b.Username, StartedOn: timeString(b.Start())}}
	starts := map[string]time.Time{b.UUID: b.Start()}
	for _, o := range s.ReproducedBy {
		builds = append(builds, ReproBuild{UUID: o.UUID, Uploader: o.Uploader, StartedOn: timeString(o.Start)})
		starts[o.UUID] = o.Start
	}
	slices.SortFunc(builds, func(x, y ReproBuild) int {
		if c := starts[x.UUID].Compare(starts[y.UUID]); c != 0 {
			return c
		}
		return cmp.Compare(x.UUID, y.UUID)
	})
	return &Statement[Reproducibility]{
		Type:          StatementType,
		Subject:       []Resource{{Name: b.Main.Filepath, Digest: hexDigest(b.Main.SHA256)}},
		PredicateType: ReproducibilityType,
		Predicate: Reproducibility{Job: b.JobName, Platform: b.Platform,
			InputID: hex.EncodeToString(b.InputID), Builds: builds},
	}, nil
}
